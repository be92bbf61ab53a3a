import { and, asc, desc, eq, inArray, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { communications, communicationVersions, incidents, users } from '../db/schema.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { countsByCommunication } from './queries.js';

type Status = (typeof communications.$inferSelect)['status'];
type Kind = (typeof communications.$inferSelect)['kind'];

export interface CommunicationListQuery {
  status?: Status[] | undefined;
  kind?: Kind | undefined;
  incident_id?: string | undefined;
  /** User id of the executive the communications go out as (the route resolves `me`). */
  sender?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * Communications newest first, with what a list row shows: the incident's title, the current subject,
 * the sender and delivery counts. The work queues of the UI (an executive's approvals, what is held or
 * going out now) are this list filtered.
 */
export async function listCommunications(db: Db, query: CommunicationListQuery) {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select({
      communication: communications,
      incidentTitle: incidents.title,
      subject: communicationVersions.subject,
      senderName: users.name,
      sender: users.sender,
    })
    .from(communications)
    .innerJoin(incidents, eq(incidents.id, communications.incidentId))
    .innerJoin(
      communicationVersions,
      and(
        eq(communicationVersions.communicationId, communications.id),
        eq(communicationVersions.version, communications.currentVersion),
      ),
    )
    .leftJoin(users, eq(users.id, communications.senderUserId))
    .where(
      and(
        query.status?.length ? inArray(communications.status, query.status) : undefined,
        query.kind ? eq(communications.kind, query.kind) : undefined,
        query.incident_id ? eq(communications.incidentId, query.incident_id) : undefined,
        query.sender ? eq(communications.senderUserId, query.sender) : undefined,
        after ? lt(communications.id, after) : undefined,
      ),
    )
    .orderBy(desc(communications.id))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const counts = await countsByCommunication(
    db,
    page.map((r) => r.communication.id),
  );
  return {
    data: page.map(({ communication: c, incidentTitle, subject, senderName, sender }) => ({
      id: c.id,
      incident_id: c.incidentId,
      incident_title: incidentTitle,
      segment: c.segment,
      kind: c.kind,
      status: c.status,
      from: c.from,
      sender: c.senderUserId
        ? {
            id: c.senderUserId,
            name: sender?.name ?? senderName ?? '',
            email: sender?.email ?? '',
            title: sender?.title ?? null,
          }
        : null,
      subject,
      version: c.currentVersion,
      recipients: c.recipients,
      send_at: c.sendAt?.toISOString() ?? null,
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
      counts: counts.get(c.id) ?? {},
    })),
    next_cursor: more ? encodeCursor(page[page.length - 1]!.communication.id) : null,
  };
}

/** Active executives with a sender identity: who an apology can go out as. */
export async function listSenders(db: Db) {
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.role, 'executive'), isNull(users.disabledAt), isNotNull(users.sender)))
    .orderBy(asc(users.name));
  return rows.map((u) => ({
    id: u.id,
    name: u.sender?.name ?? u.name,
    email: u.sender?.email ?? u.email,
    title: u.sender?.title ?? null,
  }));
}
