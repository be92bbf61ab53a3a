import { and, asc, eq, gt } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { suppressions } from '../db/schema.js';
import { badRequest, notFound } from '../http/errors.js';
import { bumpAudienceVersion } from './audience-version.js';
import { normalizeEmail } from './schemas.js';

export const suppressionSchema = z.object({
  email: z.string(),
  reason: z.string(),
  source: z.string(),
  details: z.unknown().nullable(),
  created_at: z.string(),
});
export type SuppressionView = z.infer<typeof suppressionSchema>;

// Suppressions are keyed by address, not by a prefixed id, so their cursor is the address itself.
const encode = (email: string) => Buffer.from(email, 'utf8').toString('base64url');
function decode(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const email = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw badRequest('Invalid cursor.', [{ path: 'query.cursor', message: 'not a cursor from this API' }]);
  return email;
}

/** Suppressed addresses in address order, keyset-paged. */
export async function listSuppressions(
  db: Db,
  query: { limit: number; cursor?: string | undefined; reason?: string | undefined },
): Promise<{ data: SuppressionView[]; next_cursor: string | null }> {
  const after = decode(query.cursor);
  const rows = await db
    .select()
    .from(suppressions)
    .where(
      and(
        after === undefined ? undefined : gt(suppressions.email, after),
        query.reason === undefined ? undefined : eq(suppressions.reason, query.reason),
      ),
    )
    .orderBy(asc(suppressions.email))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return {
    data: page.map((r) => ({
      email: r.email,
      reason: r.reason,
      source: r.source,
      details: r.details ?? null,
      created_at: r.createdAt.toISOString(),
    })),
    next_cursor: more ? encode(page[page.length - 1]!.email) : null,
  };
}

/**
 * Lifts a suppression (e.g. a bounce that was a full mailbox). Audited: it lets mail reach an address
 * that once bounced or complained. Throws 404 when the address is not suppressed.
 */
export async function deleteSuppression(db: Db, email: string, actor: string): Promise<void> {
  const address = normalizeEmail(email);
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(suppressions)
      .where(eq(suppressions.email, address))
      .returning({ reason: suppressions.reason, source: suppressions.source });
    if (removed.length === 0) throw notFound('Suppression', address);
    await bumpAudienceVersion(tx as unknown as Db);
    await appendAudit(tx as unknown as Db, {
      actor,
      action: 'suppression.delete',
      subjectType: 'suppression',
      subjectId: address,
      details: { reason: removed[0]!.reason, source: removed[0]!.source },
    });
  });
}
