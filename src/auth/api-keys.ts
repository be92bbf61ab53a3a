import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { apiKeys } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import type { Principal, Scope } from './principal.js';

export const API_KEY_PREFIX = 'cnd_';
/** Shown in lists: enough to tell keys apart, far too little to guess the rest (the key has 256 bits). */
const DISPLAY_PREFIX_LENGTH = 12;
/** `last_used_at` is a hint for humans; writing it on every request would turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * Keys are 256 random bits, so a single fast SHA-256 is the right storage hash: there is nothing to
 * brute-force, and a slow KDF would only add latency to every API call. Lookup by hash also means
 * comparing secrets never happens in application code.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function apiKeyJson(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as Scope[],
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

export interface CreateApiKeyInput {
  name: string;
  scopes: Scope[];
  /** Audit actor of whoever asked (`actorOf(principal)`, or `cli`). */
  actor: string;
}

/** Creates a key; the plain key is returned only here and never stored. */
export async function createApiKey(
  db: Db,
  input: CreateApiKeyInput,
): Promise<{ row: ApiKeyRow; key: string }> {
  const key = generateApiKey();
  const scopes = [...new Set(input.scopes)];
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        id: newId('key'),
        name: input.name,
        prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
        keyHash: hashApiKey(key),
        scopes,
        createdBy: input.actor,
      })
      .returning();
    if (!row) throw new Error('api key insert returned nothing');
    await appendAudit(tx, {
      actor: input.actor,
      action: 'api_key.create',
      subjectType: 'api_key',
      subjectId: row.id,
      details: { name: row.name, scopes, prefix: row.prefix },
    });
    return { row, key };
  });
}

export async function listApiKeys(db: Db, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(after ? lt(apiKeys.id, after) : undefined)
    .orderBy(desc(apiKeys.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, apiKeyJson);
}

/** Revokes a key at once (the next request with it is 401). Revoking twice is not an error. */
export async function revokeApiKey(db: Db, id: string, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
    if (!row) throw notFound('API key', id);
    if (row.revokedAt) return;
    await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    await appendAudit(tx, {
      actor,
      action: 'api_key.revoke',
      subjectType: 'api_key',
      subjectId: id,
      details: { name: row.name, prefix: row.prefix },
    });
  });
}

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, which timingSafeEqual needs, without leaking the real length.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The principal behind a presented key, or null when it is unknown or revoked. `bootstrapKey` is
 * `CANDOR_BOOTSTRAP_API_KEY`: an admin key that exists only in configuration.
 */
export async function principalForApiKey(
  db: Db,
  presented: string,
  bootstrapKey: string | undefined,
): Promise<Principal | null> {
  if (bootstrapKey && sameSecret(presented, bootstrapKey)) {
    return { type: 'api_key', id: 'bootstrap', name: 'bootstrap', scopes: ['admin'], source: 'bootstrap' };
  }
  if (!presented.startsWith(API_KEY_PREFIX)) return null;
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(presented)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(apiKeys.id, row.id));
  }
  return {
    type: 'api_key',
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    source: `key:${row.id}`,
  };
}
