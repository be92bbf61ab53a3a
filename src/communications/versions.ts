import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { executeWrites } from '../db/combined-writes.js';
import { newId } from '../db/ids.js';
import { insertFromJson } from '../db/json-insert.js';
import { communications, communicationVersions } from '../db/schema.js';
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
 * Several communications with their first versions in one statement whatever their number. Returns the
 * new ids in input order.
 */
export async function insertCommunications(
  tx: Db,
  items: readonly { row: NewCommunication; content: VersionContent }[],
  meta: { createdBy: string; now: Date },
): Promise<string[]> {
  const { ids, writes } = communicationWrites(items, meta);
  await executeWrites(tx, writes);
  return ids;
}

/**
 * The statements that insert communications with their first versions, for a caller that runs them
 * with its other writes ({@link executeWrites}): an event plans one per segment inside its ingest
 * transaction, where every round trip is latency. The ids are made here, so they are known before the
 * rows exist.
 *
 * The rows travel as one `jsonb` parameter per table ({@link insertFromJson}); the versions' foreign key
 * is checked at the end of the statement, when their communications exist. With `onlyIf`, nothing is
 * inserted unless it holds (a WITH that inserts their incident too).
 */
export function communicationWrites(
  items: readonly { row: NewCommunication; content: VersionContent }[],
  meta: { createdBy: string; now: Date },
  onlyIf?: SQL,
): { ids: string[]; writes: SQL[] } {
  if (items.length === 0) return { ids: [], writes: [] };
  const ids = items.map(() => newId('com', meta.now.getTime()));
  const communicationRows = items.map(({ row }, i) => ({
    ...row,
    id: ids[i]!,
    currentVersion: 1,
    // Set for every row: a row that left it out beside one that gave it would store NULL.
    recipients: row.recipients ?? 0,
    createdAt: meta.now,
    updatedAt: meta.now,
  }));
  const versionRows = items.map(({ content }, i) => ({
    id: newId('ver', meta.now.getTime()),
    communicationId: ids[i]!,
    version: 1,
    ...content,
    contentHash: contentHash(content),
    createdBy: meta.createdBy,
    createdAt: meta.now,
  }));
  return {
    ids,
    writes: [
      insertFromJson(communications, communicationRows, onlyIf),
      insertFromJson(communicationVersions, versionRows, onlyIf),
    ],
  };
}
