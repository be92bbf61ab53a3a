import { createHash } from 'node:crypto';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { communications, communicationVersions } from '../db/schema.js';
import { canonicalJson } from '../lib/canonical-json.js';

export interface VersionContent {
  template: string;
  subject: string;
  body: string | null;
  props: Record<string, unknown>;
}

/** SHA-256 of a version's content: approvals bind to it and the send worker re-checks it. */
export function contentHash(content: VersionContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * Inserts a communication with its first version: how automatic notices and staff drafts alike come
 * into being. Returns the new id.
 */
export async function insertCommunication(
  tx: Db,
  row: Omit<typeof communications.$inferInsert, 'id' | 'currentVersion' | 'createdAt' | 'updatedAt'>,
  content: VersionContent,
  meta: { createdBy: string; now: Date },
): Promise<string> {
  const id = newId('com', meta.now.getTime());
  await tx
    .insert(communications)
    .values({ ...row, id, currentVersion: 1, createdAt: meta.now, updatedAt: meta.now });
  await tx.insert(communicationVersions).values({
    id: newId('ver', meta.now.getTime()),
    communicationId: id,
    version: 1,
    ...content,
    contentHash: contentHash(content),
    createdBy: meta.createdBy,
    createdAt: meta.now,
  });
  return id;
}
