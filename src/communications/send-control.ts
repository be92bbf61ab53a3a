import { and, eq, inArray } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import { communications } from '../db/schema.js';
import { enqueueDueFanouts } from '../delivery/enqueue.js';
import { jobIds } from '../delivery/queues.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../http/errors.js';
import { ApprovalMismatchError, approvalPayloadHash, assertApprovedForSend } from './approvals.js';
import { communicationWithVersion } from './queries.js';

type CommunicationStatus = (typeof communications.$inferSelect)['status'];

/**
 * Sends a communication now: `scheduled` with `send_at` = now and its fan-out enqueued. An apology must
 * be `approved`, and its current version must pass the same approval check the send worker repeats
 * before each batch; other kinds go from `draft` or from a hold window (`scheduled`).
 */
export async function sendCommunication(
  deps: Pick<AppDeps, 'database' | 'queues'>,
  id: string,
  actor: string,
  now = new Date(),
) {
  const { db } = deps.database;
  await db.transaction(async (tx) => {
    const row = await communicationWithVersion(tx, id);
    if (!row) throw notFound('Communication', id);
    const { communication, version } = row;
    const apology = communication.kind === 'apology';
    const from: CommunicationStatus[] = apology ? ['approved'] : ['draft', 'scheduled'];
    if (!from.includes(communication.status)) {
      throw conflict(
        apology ? 'not_approved' : 'invalid_state',
        apology && ['draft', 'pending_approval'].includes(communication.status)
          ? `The current version (${communication.currentVersion}) of this apology is not approved by its sender.`
          : `Communication ${id} is ${communication.status}; it cannot be sent now.`,
      );
    }
    try {
      await assertApprovedForSend(tx, communication, version);
    } catch (error) {
      if (error instanceof ApprovalMismatchError) throw conflict('not_approved', error.message);
      throw error;
    }
    const moved = await tx
      .update(communications)
      .set({ status: 'scheduled', sendAt: now, updatedAt: now })
      .where(
        and(
          eq(communications.id, id),
          eq(communications.currentVersion, version.version),
          inArray(communications.status, from),
        ),
      )
      .returning({ id: communications.id });
    if (moved.length === 0)
      throw conflict('invalid_state', `Communication ${id} changed meanwhile; try again.`);
    await appendAudit(tx, {
      actor,
      action: 'communication.send',
      subjectType: 'communication',
      subjectId: id,
      details: {
        version: version.version,
        content_hash: version.contentHash,
        ...(apology ? { approved_payload_hash: approvalPayloadHash(communication, version) } : {}),
        status_before: communication.status,
        recipients: communication.recipients,
      },
    });
  });
  // After commit: the fan-out must find the row `scheduled`. A lost enqueue is redone by the sweeper.
  await enqueueDueFanouts(deps, [id]);
  // A held notice already has its fan-out waiting for the end of the hold window; "now" means now.
  const held = await deps.queues.byName.fanout.getJob(jobIds.fanout(id));
  if (held && (await held.isDelayed())) await held.promote().catch(() => {}); // it started meanwhile: fine
}

/** Cancels anything that has not started going out; 409 once the fan-out has begun. */
export async function cancelCommunication(
  deps: Pick<AppDeps, 'database'>,
  id: string,
  actor: string,
  now = new Date(),
) {
  const { db } = deps.database;
  await db.transaction(async (tx) => {
    const [communication] = await tx.select().from(communications).where(eq(communications.id, id));
    if (!communication) throw notFound('Communication', id);
    const moved = await tx
      .update(communications)
      .set({ status: 'cancelled', updatedAt: now })
      .where(
        and(
          eq(communications.id, id),
          inArray(communications.status, ['draft', 'pending_approval', 'approved', 'scheduled']),
        ),
      )
      .returning({ id: communications.id });
    if (moved.length === 0) {
      throw conflict(
        'invalid_state',
        `Communication ${id} is ${communication.status}; it can no longer be cancelled.`,
      );
    }
    await appendAudit(tx, {
      actor,
      action: 'communication.cancel',
      subjectType: 'communication',
      subjectId: id,
      details: { version: communication.currentVersion, status_before: communication.status },
    });
  });
}
