import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema.js';

export interface AuditEntry {
  /** Who did it, as produced by `actorOf(principal)` (`user:…`, `api_key:…`, `system`, `cli`). */
  actor: string;
  /** Dotted verb, e.g. `api_key.create`, `user.create`, `communication.approve`. */
  action: string;
  subjectType: string;
  subjectId: string;
  /** Extra facts worth keeping; never secrets (no keys, passwords or tokens). */
  details?: Record<string, unknown>;
}

/**
 * Appends one entry to the append-only audit log. Pass the transaction handle when the change being
 * audited runs in one, so the entry and the change commit (or roll back) together.
 */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    details: entry.details ?? {},
  });
}
