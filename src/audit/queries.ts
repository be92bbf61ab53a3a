import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema.js';
import { badRequest } from '../http/errors.js';

export interface AuditQuery {
  subject_id?: string | undefined;
  action?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

type AuditRow = typeof auditLog.$inferSelect;

export const auditEntryJson = (row: AuditRow) => ({
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  subject_type: row.subjectType,
  subject_id: row.subjectId,
  details: row.details,
});

// Entries have serial ids, not the prefixed ids the shared cursor helpers expect.
const encode = (id: number) => Buffer.from(`aud:${id}`, 'utf8').toString('base64url');
function decode(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const match = /^aud:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw badRequest('Invalid cursor.', [{ path: 'query.cursor', message: 'not a cursor from this API' }]);
  }
  return Number(match[1]);
}

/** Newest first, like every other list; both filters use an index (`subject_id, id` and `action, id`). */
export async function listAudit(db: Db, query: AuditQuery) {
  const before = decode(query.cursor);
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        query.subject_id ? eq(auditLog.subjectId, query.subject_id) : undefined,
        query.action ? eq(auditLog.action, query.action) : undefined,
        before === undefined ? undefined : lt(auditLog.id, before),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return { data: page.map(auditEntryJson), next_cursor: more ? encode(page.at(-1)!.id) : null };
}
