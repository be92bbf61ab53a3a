import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { Db } from '../db/client.js';
import { type inboxStatuses, replies, replyStatuses } from '../db/schema.js';
import { conflict, notFound } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { factsOf } from './store.js';

export const replySchema = z.object({
  id: z.string(),
  message_id: z.string().nullable(),
  communication_id: z.string().nullable(),
  incident_id: z.string().nullable(),
  customer_id: z.string().nullable(),
  contact_id: z.string().nullable(),
  source: z.string(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  text: z.string().nullable(),
  category: z.string().nullable(),
  status: z.enum(replyStatuses),
  /** `reply`, `auto_reply`, `bounce`, `unsubscribe`, or `rejected` (over a parsing limit). */
  kind: z.string(),
  auto: z.boolean(),
  matched: z.boolean(),
  matched_by: z.string().nullable(),
  attachments: z.array(z.object({ filename: z.string().nullable(), type: z.string(), size: z.number() })),
  forwarded_at: z.string().nullable(),
  error: z.string().nullable(),
  received_at: z.string(),
});
export type ReplyView = z.infer<typeof replySchema>;

type Row = typeof replies.$inferSelect;

export function toView(row: ListRow): ReplyView {
  const facts = factsOf(row.headers);
  return {
    id: row.id,
    message_id: row.messageId,
    communication_id: row.communicationId,
    incident_id: row.incidentId,
    customer_id: row.customerId,
    contact_id: row.contactId,
    source: row.source,
    from: row.fromAddress,
    subject: row.subject,
    text: row.text,
    category: row.category,
    status: row.status,
    kind: facts.error ? 'rejected' : (facts.kind ?? (row.status === 'received' ? 'pending' : 'reply')),
    auto: row.auto,
    matched: row.matched,
    matched_by: facts.matchedBy ?? null,
    attachments: Array.isArray(row.attachments) ? (row.attachments as ReplyView['attachments']) : [],
    forwarded_at: facts.forwardedAt ?? null,
    error: facts.error?.code ?? null,
    received_at: row.receivedAt.toISOString(),
  };
}

export interface ReplyFilters {
  incident_id?: string | undefined;
  communication_id?: string | undefined;
  category?: string | undefined;
  status?: Row['status'] | undefined;
  auto?: boolean | undefined;
  matched?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

// Only the columns a list shows: `raw` and `html` can be megabytes each.
const listColumns = {
  id: replies.id,
  messageId: replies.messageId,
  communicationId: replies.communicationId,
  incidentId: replies.incidentId,
  customerId: replies.customerId,
  contactId: replies.contactId,
  source: replies.source,
  fromAddress: replies.fromAddress,
  subject: replies.subject,
  text: replies.text,
  headers: replies.headers,
  attachments: replies.attachments,
  category: replies.category,
  status: replies.status,
  auto: replies.auto,
  matched: replies.matched,
  receivedAt: replies.receivedAt,
};

type ListRow = Pick<Row, keyof typeof listColumns>;

export async function listReplies(db: Db, filters: ReplyFilters) {
  const where: (SQL | undefined)[] = [
    filters.incident_id ? eq(replies.incidentId, filters.incident_id) : undefined,
    filters.communication_id ? eq(replies.communicationId, filters.communication_id) : undefined,
    filters.category ? eq(replies.category, filters.category) : undefined,
    filters.status ? eq(replies.status, filters.status) : undefined,
    filters.auto === undefined ? undefined : eq(replies.auto, filters.auto),
    filters.matched === undefined ? undefined : eq(replies.matched, filters.matched),
  ];
  const after = decodeCursor(filters.cursor);
  if (after) where.push(lt(replies.id, after));
  const rows = await db
    .select(listColumns)
    .from(replies)
    .where(and(...where))
    .orderBy(desc(replies.id))
    .limit(filters.limit + 1);
  return toPage(rows, filters.limit, toView);
}

export async function getReply(db: Db, id: string): Promise<ReplyView> {
  const [row] = await db.select(listColumns).from(replies).where(eq(replies.id, id));
  if (!row) throw notFound('Reply', id);
  return toView(row);
}

/** Staff move a processed reply through the inbox; a reply not yet analyzed cannot be worked. */
export async function setReplyStatus(
  db: Db,
  id: string,
  status: (typeof inboxStatuses)[number],
  principal: Principal,
): Promise<ReplyView> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ status: replies.status }).from(replies).where(eq(replies.id, id));
    if (!row) throw notFound('Reply', id);
    if (row.status === 'received')
      throw conflict('reply_not_processed', 'This reply is still being processed.');
    if (row.status !== status) {
      await tx.update(replies).set({ status }).where(eq(replies.id, id));
      await appendAudit(tx as unknown as Db, {
        actor: actorOf(principal),
        action: 'reply.status',
        subjectType: 'reply',
        subjectId: id,
        details: { from: row.status, to: status },
      });
    }
    const [updated] = await tx.select(listColumns).from(replies).where(eq(replies.id, id));
    return toView(updated!);
  });
}
