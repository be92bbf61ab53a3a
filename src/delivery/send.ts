import { eq, sql } from 'drizzle-orm';
import { assertApprovedForSend } from '../communications/approvals.js';
import { selectRows, textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
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

  const claimed = await claimBatch(db, input, now);
  if (claimed.length === 0) return { kind: 'skipped', reason: 'nothing left to send in this batch' };

  const batch = await frozenBatch(deps, communication, input.batchKey, claimed.map((c) => c.id).sort());
  // An apology goes out only as the exact content its executive approved (throws ApprovalMismatchError).
  await assertApprovedForSend(db, communication, batch.version);
  if (now.getTime() - batch.firstAttemptAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    await settleClaimed(
      db,
      { communicationId: communication.id, batchKey: input.batchKey },
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

/**
 * Claims the batch's rows in one statement (array parameters, not one per message): `queued` rows
 * become `sending` under this batch key, rows already `sending` under the same key (a retry) stay
 * claimed, and a contact who unsubscribed or bounced after the fan-out ran is marked `suppressed`
 * instead, so they get nothing further. The status test sits in the UPDATE's own WHERE, which
 * PostgreSQL re-checks against the newest row version when two jobs race for the same rows.
 */
async function claimBatch(db: Db, input: SendJobInput, now: Date): Promise<{ id: string }[]> {
  const rows = await selectRows<{ id: string; status: string }>(
    db,
    sql`
    update ${messages} as m set
      status = case when m.status = 'queued' and x.suppressed then 'suppressed' else 'sending' end,
      error = case when m.status = 'queued' and x.suppressed then ${SUPPRESSED_AFTER_FANOUT} else m.error end,
      send_batch_key = case when m.status = 'queued' and x.suppressed then m.send_batch_key else ${input.batchKey} end,
      attempts = m.attempts + case when m.status = 'queued' and x.suppressed then 0 else 1 end,
      sending_at = case when m.status = 'queued' and x.suppressed then m.sending_at else coalesce(m.sending_at, now()) end,
      updated_at = ${now.toISOString()}::timestamptz
    from (
      select c.id, exists (select 1 from ${suppressions} s where s.email = c.email)
        or exists (select 1 from ${contacts} k where k.id = c.contact_id and (k.unsubscribed_at is not null or k.removed_at is not null)) as suppressed
      from ${messages} c where c.id = any(${textArray(input.messageIds)})
    ) as x
    where m.id = x.id and (m.status = 'queued' or (m.status = 'sending' and m.send_batch_key = ${input.batchKey}))
    returning m.id, m.status`,
  );
  return rows.filter((row) => row.status === 'sending').map(({ id }) => ({ id }));
}

const SUPPRESSED_AFTER_FANOUT = 'unsubscribed or suppressed after the fan-out';

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
    [stored] = await db
      .insert(sendBatches)
      .values({ key: batchKey, communicationId: communication.id, messageIds, payload: inputs })
      .onConflictDoNothing()
      .returning();
    // Two attempts racing (a stalled job re-run) both gather; the stored copy is the one both send.
    if (!stored) [stored] = await db.select().from(sendBatches).where(eq(sendBatches.key, batchKey));
    if (!stored) throw new Error(`send batch ${batchKey} vanished after insert`);
  }
  const { emails, version } = await renderBatch(deps, communication, stored.payload as BatchInputs);
  return { emails, version, firstAttemptAt: stored.firstAttemptAt };
}
