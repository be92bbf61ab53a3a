import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { jsonRecords } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import type { communications } from '../db/schema.js';
import { canonicalJson } from '../lib/canonical-json.js';

export interface VersionContent {
  template: string;
  subject: string;
  body: string | null;
  props: Record<string, unknown>;
}

/**
 * The content an edit of `previous` stores. Templates read the text from props (`body` overrides an
 * event's `message`), so the body goes there too; the live preview applies unsaved edits the same way.
 */
export function editedContent(
  previous: VersionContent,
  edit: { subject?: string | undefined; body?: string | undefined },
): VersionContent {
  const body = edit.body ?? previous.body;
  return {
    template: previous.template,
    subject: edit.subject ?? previous.subject,
    body,
    props: body === null ? previous.props : { ...previous.props, body },
  };
}

/** SHA-256 of a version's content: approvals bind to it and the send worker re-checks it. */
export function contentHash(content: VersionContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

type NewCommunication = Omit<
  typeof communications.$inferInsert,
  'id' | 'currentVersion' | 'createdAt' | 'updatedAt'
>;

/**
 * Inserts a communication with its first version: how automatic notices and staff drafts alike come
 * into being. Returns the new id.
 */
export async function insertCommunication(
  tx: Db,
  row: NewCommunication,
  content: VersionContent,
  meta: { createdBy: string; now: Date },
): Promise<string> {
  const [id] = await insertCommunications(tx, [{ row, content }], meta);
  return id!;
}

/**
 * Several communications with their first versions in one statement whatever their number: an event
 * plans one per segment inside its ingest transaction, where every round trip is latency. Returns the
 * new ids in input order.
 *
 * The rows travel as one `jsonb` parameter each ({@link jsonRecords}): drizzle's insert builder took
 * ~240 µs to build this statement for three segments, on every event. The communications are inserted
 * in a WITH clause, and the versions' foreign key is checked at the end of the statement, when those
 * rows exist.
 */
export async function insertCommunications(
  tx: Db,
  items: readonly { row: NewCommunication; content: VersionContent }[],
  meta: { createdBy: string; now: Date },
): Promise<string[]> {
  if (items.length === 0) return [];
  const ids = items.map(() => newId('com', meta.now.getTime()));
  const now = meta.now.toISOString();
  const communicationRows = items.map(({ row }, i) => ({
    id: ids[i],
    incident_id: row.incidentId,
    event_id: row.eventId ?? null,
    kind: row.kind,
    segment: row.segment,
    status: row.status,
    sender_user_id: row.senderUserId ?? null,
    from: row.from,
    recipients: row.recipients ?? 0,
    send_at: row.sendAt ?? null,
    fanout_enqueued_at: row.fanoutEnqueuedAt ?? null,
    fanout_completed_at: row.fanoutCompletedAt ?? null,
  }));
  const versionRows = items.map(({ content }, i) => ({
    id: newId('ver', meta.now.getTime()),
    communication_id: ids[i],
    template: content.template,
    subject: content.subject,
    body: content.body,
    props: content.props,
    content_hash: contentHash(content),
  }));
  await tx.execute(sql`
    with inserted_communications as (
      insert into communications (id, incident_id, event_id, kind, segment, status, sender_user_id, "from",
        current_version, recipients, send_at, fanout_enqueued_at, fanout_completed_at, created_at, updated_at)
      select c.id, c.incident_id, c.event_id, c.kind, c.segment, c.status, c.sender_user_id, c."from",
        1, c.recipients, c.send_at, c.fanout_enqueued_at, c.fanout_completed_at,
        ${now}::timestamptz, ${now}::timestamptz
      from jsonb_to_recordset(${jsonRecords(communicationRows)})
        as c(id text, incident_id text, event_id text, kind text, segment text, status text,
          sender_user_id text, "from" text, recipients int, send_at timestamptz,
          fanout_enqueued_at timestamptz, fanout_completed_at timestamptz)
      returning id
    )
    insert into communication_versions (id, communication_id, version, template, subject, body, props,
      content_hash, created_by, created_at)
    select v.id, v.communication_id, 1, v.template, v.subject, v.body, v.props, v.content_hash,
      ${meta.createdBy}, ${now}::timestamptz
    from jsonb_to_recordset(${jsonRecords(versionRows)})
      as v(id text, communication_id text, template text, subject text, body text, props jsonb,
        content_hash text)`);
  return ids;
}
