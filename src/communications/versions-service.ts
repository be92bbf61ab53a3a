import { createTwoFilesPatch } from 'diff';
import { and, asc, eq, notInArray, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { communications, communicationVersions } from '../db/schema.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { communicationWithVersion } from './queries.js';
import type { EditCommunicationBody } from './schemas.js';
import { contentHash, editedContent } from './versions.js';

type VersionRow = typeof communicationVersions.$inferSelect;

/** Once the fan-out has started (or it was cancelled) the content is what it is. */
const frozenStatuses = ['sending', 'sent', 'cancelled'] as const;

export const versionJson = (v: VersionRow) => ({
  version: v.version,
  template: v.template,
  subject: v.subject,
  body: v.body,
  content_hash: v.contentHash,
  created_by: v.createdBy,
  created_at: v.createdAt.toISOString(),
});

export interface EditOptions {
  /** Audit actor (`actorOf(principal)`). */
  actor: string;
  now?: Date;
}

/**
 * Stores an edit as a new version and makes it current. The version number is taken by the same UPDATE
 * that checks the status, so concurrent edits get consecutive versions and an edit racing the fan-out
 * either lands first or is refused. An apology goes back to `draft`: approvals bind one version's hash,
 * so whatever was approved (or is awaiting approval) no longer counts. Other kinds keep their status, so
 * a held notice edited during its hold window still goes out on time.
 */
export async function editCommunication(
  db: Db,
  id: string,
  edit: EditCommunicationBody,
  options: EditOptions,
) {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const current = await communicationWithVersion(tx, id);
    if (!current) throw notFound('Communication', id);
    const apology = current.communication.kind === 'apology';
    const [bumped] = await tx
      .update(communications)
      .set({
        currentVersion: sql`${communications.currentVersion} + 1`,
        updatedAt: now,
        ...(apology ? { status: 'draft' as const } : {}),
      })
      .where(and(eq(communications.id, id), notInArray(communications.status, [...frozenStatuses])))
      .returning({ version: communications.currentVersion, status: communications.status });
    if (!bumped) {
      throw conflict(
        'invalid_state',
        `Communication ${id} is ${current.communication.status}; its content can no longer change.`,
      );
    }
    const previous = current.version;
    const content = editedContent(previous, edit);
    const hash = contentHash(content);
    const [row] = await tx
      .insert(communicationVersions)
      .values({
        id: newId('ver', now.getTime()),
        communicationId: id,
        version: bumped.version,
        ...content,
        contentHash: hash,
        createdBy: options.actor,
        createdAt: now,
      })
      .returning();
    await appendAudit(tx, {
      actor: options.actor,
      action: 'communication.edit',
      subjectType: 'communication',
      subjectId: id,
      details: {
        version: bumped.version,
        previous_version: previous.version,
        content_hash: hash,
        previous_content_hash: previous.contentHash,
        fields: Object.keys(edit).filter((k) => edit[k as keyof EditCommunicationBody] !== undefined),
        status_before: current.communication.status,
        status: bumped.status,
      },
    });
    return row!;
  });
}

export async function listVersions(db: Db, id: string): Promise<VersionRow[]> {
  const [row] = await db
    .select({ id: communications.id })
    .from(communications)
    .where(eq(communications.id, id));
  if (!row) throw notFound('Communication', id);
  return db
    .select()
    .from(communicationVersions)
    .where(eq(communicationVersions.communicationId, id))
    .orderBy(asc(communicationVersions.version));
}

/** `"2..3"` → [2, 3]; 400 for anything else. */
export function parseDiffRange(range: string): [number, number] {
  const match = /^(\d{1,6})\.\.(\d{1,6})$/.exec(range);
  if (!match) {
    throw badRequest('diff must look like "1..2".', [{ path: 'query.diff', message: 'expected <a>..<b>' }]);
  }
  return [Number(match[1]), Number(match[2])];
}

const asDocument = (v: VersionRow) => `Subject: ${v.subject}\n\n${v.body ?? ''}\n`;

/**
 * A unified line diff between two versions, subject first then body, in the format reviewers know from
 * code review (`diff`'s `createTwoFilesPatch`, three lines of context).
 */
export function diffVersions(versions: VersionRow[], a: number, b: number): string {
  const from = versions.find((v) => v.version === a);
  const to = versions.find((v) => v.version === b);
  if (!from) throw notFound('Version', String(a));
  if (!to) throw notFound('Version', String(b));
  return createTwoFilesPatch(
    `v${a}`,
    `v${b}`,
    asDocument(from),
    asDocument(to),
    from.contentHash,
    to.contentHash,
  );
}
