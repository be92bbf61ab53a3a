import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { assertApprovedForSend } from '../communications/approvals.js';
import {
  communications,
  type communicationVersions,
  contacts,
  messages,
  sendBatches,
  suppressions,
} from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { type BatchInputs, gatherBatchInputs, renderBatch } from './batch-payload.js';
import { markSentIfFinished } from './fanout.js';
import { recordOutcomes, settleClaimed } from './outcomes.js';
import type { OutgoingEmail } from './transports/transport.js';

/**
 * How long a batch may be retried under its idempotency key. Resend keeps keys for 24 hours; after that
 * a retry could deliver a second copy, so a batch still in doubt goes to a person instead.
 */
export const IDEMPOTENCY_WINDOW_MS = 23 * 60 * 60 * 1000;

export interface SendJobInput {
  communicationId: string;
  messageIds: string[];
  /** The job's id: claims rows for this batch and is the provider idempotency key. */
  batchKey: string;
}

export type SendResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'needs_review'; messages: number }
  | { kind: 'sent'; sent: number; failed: number };

type Deps = Pick<AppDeps, 'database' | 'transport' | 'config' | 'signingSecret' | 'metrics'>;

/**
 * Sends one batch. Rows are claimed first (`queued` → `sending`, stamped with the batch key) so no other
 * job can send them; the batch's inputs are then frozen in `send_batches` before the first provider call,
 * and every retry renders exactly the same bytes and sends them under the same idempotency key, so the provider
 * replays a batch whose answer was lost instead of delivering it twice. Batch-level transport errors
 * propagate to the worker, which decides between a rate-limit pause, backoff and giving up.
 */
export async function runSend(deps: Deps, input: SendJobInput, now = new Date()): Promise<SendResult> {
  const { db } = deps.database;
  const [communication] = await db
    .select()
    .from(communications)
    .where(eq(communications.id, input.communicationId));
  if (!communication) return { kind: 'skipped', reason: 'communication not found' };
  if (communication.status !== 'sending')
    return { kind: 'skipped', reason: `communication is ${communication.status}` };

  // Someone who unsubscribed (or bounced) after the fan-out ran gets nothing further.
  await db
    .update(messages)
    .set({ status: 'suppressed', error: 'unsubscribed or suppressed after the fan-out', updatedAt: now })
    .where(
      and(
        inArray(messages.id, input.messageIds),
        eq(messages.status, 'queued'),
        or(
          sql`exists (select 1 from ${suppressions} where ${suppressions.email} = ${messages.email})`,
          sql`exists (select 1 from ${contacts} where ${contacts.id} = ${messages.contactId} and (${contacts.unsubscribedAt} is not null or ${contacts.removedAt} is not null))`,
        ),
      ),
    );
  const claimed = await db
    .update(messages)
    .set({
      status: 'sending',
      sendBatchKey: input.batchKey,
      attempts: sql`${messages.attempts} + 1`,
      sendingAt: sql`coalesce(${messages.sendingAt}, now())`,
      updatedAt: now,
    })
    .where(
      and(
        inArray(messages.id, input.messageIds),
        or(
          eq(messages.status, 'queued'),
          and(eq(messages.status, 'sending'), eq(messages.sendBatchKey, input.batchKey)),
        ),
      ),
    )
    .returning({ id: messages.id });
  if (claimed.length === 0) return { kind: 'skipped', reason: 'nothing left to send in this batch' };

  const batch = await frozenBatch(deps, communication, input.batchKey, claimed.map((c) => c.id).sort());
  // An apology goes out only as the exact content its executive approved (throws ApprovalMismatchError).
  await assertApprovedForSend(db, communication, batch.version);
  if (now.getTime() - batch.firstAttemptAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    await settleClaimed(
      db,
      input.batchKey,
      'needs_review',
      'in doubt beyond the provider idempotency window',
    );
    await db.update(sendBatches).set({ completedAt: now }).where(eq(sendBatches.key, input.batchKey));
    await markSentIfFinished(deps, communication.id);
    return { kind: 'needs_review', messages: claimed.length };
  }
  await db
    .update(sendBatches)
    .set({ attempts: sql`${sendBatches.attempts} + 1` })
    .where(eq(sendBatches.key, input.batchKey));

  const outcomes = await deps.transport.sendBatch(batch.emails, { idempotencyKey: input.batchKey });
  const result = await recordOutcomes(db, outcomes);
  await db.update(sendBatches).set({ completedAt: new Date() }).where(eq(sendBatches.key, input.batchKey));
  deps.metrics.emailsSent.inc({ transport: deps.transport.name }, result.sent);
  if (result.failed) deps.metrics.emailsFailed.inc({ transport: deps.transport.name }, result.failed);
  await markSentIfFinished(deps, communication.id);
  return { kind: 'sent', ...result };
}

/** The batch's e-mails from its frozen inputs; gathers and freezes them on the first attempt. */
async function frozenBatch(
  deps: Deps,
  communication: typeof communications.$inferSelect,
  batchKey: string,
  messageIds: string[],
): Promise<{
  emails: OutgoingEmail[];
  firstAttemptAt: Date;
  version: typeof communicationVersions.$inferSelect;
}> {
  const { db } = deps.database;
  let [stored] = await db.select().from(sendBatches).where(eq(sendBatches.key, batchKey));
  if (!stored) {
    const inputs = await gatherBatchInputs(deps, communication, messageIds);
    await db
      .insert(sendBatches)
      .values({ key: batchKey, communicationId: communication.id, messageIds, payload: inputs })
      .onConflictDoNothing();
    // Two attempts racing (a stalled job re-run) both gather; the stored copy is the one both send.
    [stored] = await db.select().from(sendBatches).where(eq(sendBatches.key, batchKey));
    if (!stored) throw new Error(`send batch ${batchKey} vanished after insert`);
  }
  const { emails, version } = await renderBatch(deps, communication, stored.payload as BatchInputs);
  return { emails, version, firstAttemptAt: stored.firstAttemptAt };
}
