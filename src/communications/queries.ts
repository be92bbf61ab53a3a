import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { findUserById } from '../auth/users.js';
import type { Db } from '../db/client.js';
import { communications, communicationVersions, messages } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { latestDecision } from './approvals.js';

/** The executive a communication goes out as: the user, and the identity the letter is signed with. */
async function senderJson(db: Db, userId: string | null) {
  if (!userId) return null;
  const user = await findUserById(db, userId);
  if (!user) return null;
  return {
    id: user.id,
    name: user.sender?.name ?? user.name,
    email: user.sender?.email ?? user.email,
    title: user.sender?.title ?? null,
  };
}

/** The latest decision on the current version; an approval of an earlier version is not shown. */
const approvalJson = (row: Awaited<ReturnType<typeof latestDecision>>) =>
  row
    ? {
        decision: row.decision,
        approver: row.approverUserId,
        version: row.version,
        content_hash: row.contentHash,
        reason: row.reason,
        at: row.createdAt.toISOString(),
      }
    : null;

export type CommunicationCounts = Record<
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'failed'
  | 'suppressed'
  | 'opened'
  | 'replied'
  | 'needs_review',
  number
>;

const countColumns = {
  queued: sql<number>`count(*) filter (where ${messages.status} = 'queued')::int`,
  sent: sql<number>`count(*) filter (where ${messages.sentAt} is not null)::int`,
  delivered: sql<number>`count(*) filter (where ${messages.deliveredAt} is not null)::int`,
  bounced: sql<number>`count(*) filter (where ${messages.status} = 'bounced')::int`,
  failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
  suppressed: sql<number>`count(*) filter (where ${messages.status} = 'suppressed')::int`,
  opened: sql<number>`count(*) filter (where ${messages.openedAt} is not null)::int`,
  replied: sql<number>`count(*) filter (where ${messages.repliedAt} is not null)::int`,
  needs_review: sql<number>`count(*) filter (where ${messages.status} = 'needs_review')::int`,
};

const zeroCounts = (): CommunicationCounts => ({
  queued: 0,
  sent: 0,
  delivered: 0,
  bounced: 0,
  failed: 0,
  suppressed: 0,
  opened: 0,
  replied: 0,
  needs_review: 0,
});

/** Per-recipient progress in one aggregate query per call, grouped by communication. */
export async function countsByCommunication(
  db: Db,
  ids: string[],
): Promise<Map<string, CommunicationCounts>> {
  const result = new Map<string, CommunicationCounts>(ids.map((id) => [id, zeroCounts()]));
  if (ids.length === 0) return result;
  const rows = await db
    .select({ communicationId: messages.communicationId, ...countColumns })
    .from(messages)
    .where(inArray(messages.communicationId, ids))
    .groupBy(messages.communicationId);
  for (const { communicationId, ...counts } of rows) result.set(communicationId, counts);
  return result;
}

type CommunicationRow = typeof communications.$inferSelect;

const summaryJson = (row: CommunicationRow, counts: CommunicationCounts) => ({
  id: row.id,
  segment: row.segment,
  kind: row.kind,
  status: row.status,
  recipients: row.recipients,
  send_at: row.sendAt?.toISOString() ?? null,
  created_at: row.createdAt.toISOString(),
  counts,
});

export async function communicationsOfIncident(db: Db, incidentId: string) {
  const rows = await db
    .select()
    .from(communications)
    .where(eq(communications.incidentId, incidentId))
    .orderBy(asc(communications.id));
  const counts = await countsByCommunication(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => summaryJson(row, counts.get(row.id) ?? zeroCounts()));
}

export async function getCommunication(db: Db, id: string) {
  const [row] = await db.select().from(communications).where(eq(communications.id, id));
  if (!row) throw notFound('Communication', id);
  const [version] = await db
    .select()
    .from(communicationVersions)
    .where(
      and(
        eq(communicationVersions.communicationId, id),
        eq(communicationVersions.version, row.currentVersion),
      ),
    );
  const counts = (await countsByCommunication(db, [id])).get(id) ?? zeroCounts();
  return {
    ...summaryJson(row, counts),
    incident_id: row.incidentId,
    from: row.from,
    sender: await senderJson(db, row.senderUserId),
    approval: approvalJson(await latestDecision(db, id, row.currentVersion)),
    fanout_completed_at: row.fanoutCompletedAt?.toISOString() ?? null,
    current_version: version
      ? {
          version: version.version,
          template: version.template,
          subject: version.subject,
          body: version.body,
          content_hash: version.contentHash,
          created_at: version.createdAt.toISOString(),
        }
      : null,
  };
}

export interface MessageQuery {
  id?: string;
  communication_id?: string;
  status?: string;
  email?: string;
  limit: number;
  cursor?: string;
}

type MessageRow = typeof messages.$inferSelect;

const messageJson = (m: MessageRow) => ({
  id: m.id,
  communication_id: m.communicationId,
  contact_id: m.contactId,
  customer_id: m.customerId,
  email: m.email,
  status: m.status,
  message_id: `<${m.messageIdHeader}>`,
  provider_id: m.providerId,
  attempts: m.attempts,
  error: m.error,
  sent_at: m.sentAt?.toISOString() ?? null,
  delivered_at: m.deliveredAt?.toISOString() ?? null,
  opened_at: m.openedAt?.toISOString() ?? null,
  replied_at: m.repliedAt?.toISOString() ?? null,
  created_at: m.createdAt.toISOString(),
  updated_at: m.updatedAt.toISOString(),
});

/** Per-recipient delivery state, oldest first (the order they were queued). */
export async function listMessages(db: Db, query: MessageQuery) {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        query.id ? eq(messages.id, query.id) : undefined,
        query.communication_id ? eq(messages.communicationId, query.communication_id) : undefined,
        query.status ? eq(messages.status, query.status as MessageRow['status']) : undefined,
        query.email ? eq(messages.email, query.email.toLowerCase()) : undefined,
        after ? gt(messages.id, after) : undefined,
      ),
    )
    .orderBy(asc(messages.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, messageJson);
}

/**
 * A communication joined with one of its versions (the current one unless `version` is given), or
 * undefined; `db` may be a transaction so callers can lock-step their checks with their writes.
 */
export async function communicationWithVersion(db: Db, id: string, version?: number) {
  const [row] = await db
    .select({ communication: communications, version: communicationVersions })
    .from(communications)
    .innerJoin(
      communicationVersions,
      and(
        eq(communicationVersions.communicationId, communications.id),
        eq(communicationVersions.version, version ?? communications.currentVersion),
      ),
    )
    .where(eq(communications.id, id));
  return row;
}

/**
 * Communications for a segment that have not finished (drafted, waiting for approval, held or sending):
 * while any exists the segment must stay, since the fan-out reads its audience by the segment's rule.
 */
export async function openCommunicationsOfSegment(db: Db, segment: string): Promise<string[]> {
  const rows = await db
    .select({ id: communications.id })
    .from(communications)
    .where(
      and(
        eq(communications.segment, segment),
        inArray(communications.status, ['draft', 'pending_approval', 'approved', 'scheduled', 'sending']),
      ),
    )
    .limit(20);
  return rows.map((row) => row.id);
}
