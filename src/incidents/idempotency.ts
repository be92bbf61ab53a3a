import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { conflict, HttpError } from '../http/errors.js';
import { canonicalJson } from '../lib/canonical-json.js';

/** Stripe keeps keys for 24 hours; a key may be reused for a different request after that. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'printable ASCII only')
  .describe(
    'Any unique string (e.g. a UUID). A retry with the same key and body gets the stored answer; the same key with another body is 409.',
  );

/** Route header schema: loose, because Fastify replaces `request.headers` with the validated object. */
export const idempotencyHeadersSchema = z.looseObject({
  [IDEMPOTENCY_HEADER]: idempotencyKeySchema.optional(),
});

type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>;

/** The route is part of the hash: one key sent to two endpoints is two different requests. */
export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonicalJson(body)).digest('hex');
}

export interface IdempotencyClaim {
  key: string;
  requestHash: string;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/**
 * Reserves `key` for this caller inside the caller's transaction. The primary key (principal, key) is the
 * guard: a concurrent request with the same key blocks on the uncommitted row and, once it commits, finds
 * the stored answer — it never runs the work a second time. Returns null when this request owns the key.
 */
export async function claimIdempotencyKey(
  tx: Tx,
  principal: string,
  claim: IdempotencyClaim,
  now: Date,
): Promise<StoredResponse | null> {
  // An expired key is free again even before the sweeper has purged it.
  await tx
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.principal, principal),
        eq(idempotencyKeys.key, claim.key),
        lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS)),
      ),
    );
  const inserted = await tx
    .insert(idempotencyKeys)
    .values({ principal, key: claim.key, requestHash: claim.requestHash, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return null;

  const [row] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, claim.key)));
  if (row && row.requestHash !== claim.requestHash) {
    throw conflict(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    );
  }
  if (!row || row.responseStatus === null) {
    throw new HttpError(
      409,
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      undefined,
      { 'retry-after': '1' },
    );
  }
  return { statusCode: row.responseStatus, body: row.responseBody };
}

/** Stores the answer a replay of the key will get; runs in the same transaction as the claim. */
export async function recordIdempotentResponse(
  tx: Tx,
  principal: string,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set({ responseStatus: response.statusCode, responseBody: response.body })
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
}

/**
 * Deletes keys created before `olderThan`; pass a time at least 24 h ago (see `IDEMPOTENCY_KEY_TTL_MS`).
 * Meant for the sweeper. Returns how many were removed.
 */
export async function purgeExpiredIdempotencyKeys(db: Db, olderThan: Date): Promise<number> {
  const removed = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, olderThan))
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
