import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { communications, sendBatches } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { IDEMPOTENCY_KEY_TTL_MS, purgeExpiredIdempotencyKeys } from '../incidents/idempotency.js';
import { processPendingReplies } from '../replies/process.js';
import { enqueueDueFanouts } from './enqueue.js';
import { addSendJobs, markSentIfFinished, queuedBatches } from './fanout.js';
import { processPendingProviderEvents } from './provider-events.js';
import { jobIds } from './queues.js';

export interface SweepOptions {
  /** How long a never-attempted batch may wait before the sweeper assumes Redis lost its job. */
  graceMs?: number;
  /** How long an attempted batch may stay unfinished before it is re-enqueued under its own key. */
  stuckSendingMs?: number;
}

export interface SweepReport {
  fanoutsEnqueued: number;
  sendJobsEnqueued: number;
  batchesRequeued: number;
  communicationsFinished: number;
  idempotencyKeysPurged: number;
}

type Deps = Pick<AppDeps, 'database' | 'queues' | 'logger' | 'config' | 'transport'>;

/**
 * Makes the database, not Redis, the source of truth: anything accepted but not (or no longer) queued is
 * queued again. Everything it adds uses deterministic job ids or the batch's own idempotency key, so a
 * sweep that overlaps with healthy work adds nothing twice.
 */
export async function sweep(deps: Deps, options: SweepOptions = {}, now = new Date()): Promise<SweepReport> {
  const graceMs = options.graceMs ?? 30_000;
  const stuckMs = options.stuckSendingMs ?? 5 * 60_000;
  const { db } = deps.database;
  const report: SweepReport = {
    fanoutsEnqueued: 0,
    sendJobsEnqueued: 0,
    batchesRequeued: 0,
    communicationsFinished: 0,
    idempotencyKeysPurged: await purgeExpiredIdempotencyKeys(
      db,
      new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS),
    ),
  };
  const graceAgo = new Date(now.getTime() - graceMs);
  await processPendingProviderEvents(deps, 500);
  await processPendingReplies(deps, 100);

  // Scheduled but never enqueued (Redis was down at ingest), or due for a while and still not started.
  const due = await db
    .select({ id: communications.id })
    .from(communications)
    .where(
      and(
        eq(communications.status, 'scheduled'),
        or(isNull(communications.fanoutEnqueuedAt), lte(communications.sendAt, graceAgo)),
      ),
    )
    .limit(500);
  report.fanoutsEnqueued += await enqueueDueFanouts(
    deps,
    due.map((c) => c.id),
  );

  const sending = await db
    .select({
      id: communications.id,
      fanoutCompletedAt: communications.fanoutCompletedAt,
      updatedAt: communications.updatedAt,
    })
    .from(communications)
    .where(eq(communications.status, 'sending'))
    .limit(500);
  for (const communication of sending) {
    if (!communication.fanoutCompletedAt) {
      const fanoutJob = jobIds.fanout(communication.id);
      if (
        communication.updatedAt <= graceAgo &&
        (await deps.queues.addUnlessLive('fanout', { communicationId: communication.id }, fanoutJob))
      )
        report.fanoutsEnqueued++;
      continue;
    }
    report.sendJobsEnqueued += await requeueUnattempted(deps, communication.id, graceAgo);
    report.batchesRequeued += await requeueStuckBatches(
      deps,
      communication.id,
      new Date(now.getTime() - stuckMs),
    );
    if (await markSentIfFinished(deps, communication.id)) report.communicationsFinished++;
  }
  return report;
}

/**
 * Batches never attempted whose send job vanished (Redis lost it, or a fan-out stopped between writing
 * rows and adding jobs): add them again under their keys; a job still known keeps its place.
 */
async function requeueUnattempted(deps: Deps, communicationId: string, olderThan: Date): Promise<number> {
  const unattempted = sql`m.updated_at < ${olderThan.toISOString()}::timestamptz
    and not exists (select 1 from ${sendBatches} b where b.key = m.send_batch_key)`;
  let added = 0;
  for (let afterKey = ''; ; ) {
    const batches = await queuedBatches(deps.database.db, communicationId, unattempted, { afterKey });
    if (batches.length === 0) return added;
    await addSendJobs(deps, communicationId, batches);
    added += batches.length;
    afterKey = batches[batches.length - 1]!.batchKey;
  }
}

/**
 * Batches attempted but unfinished for longer than a send can take, with no job left to finish them
 * (worker killed and Redis flushed, or the job gave up): they go back to the queue under their own key,
 * and the provider's idempotency window turns a re-send into a replay.
 */
async function requeueStuckBatches(deps: Deps, communicationId: string, olderThan: Date): Promise<number> {
  const stuck = await queuedBatches(
    deps.database.db,
    communicationId,
    // Driven from the few open batches (their index), not from every queued message.
    sql`m.send_batch_key = any(array(select b.key from ${sendBatches} b where b.communication_id = ${communicationId}
      and b.completed_at is null and b.first_attempt_at < ${olderThan.toISOString()}::timestamptz))`,
    { limit: 50 },
  );
  let requeued = 0;
  for (const { batchKey, messageIds } of stuck) {
    if (await deps.queues.addUnlessLive('send', { communicationId, messageIds }, batchKey)) requeued++;
  }
  return requeued;
}

/** Runs `sweep` every `intervalMs` until stopped; a failing sweep (Redis or database down) is retried next tick. */
export function startSweeper(
  deps: Deps,
  intervalMs: number,
  options: SweepOptions = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep(deps, options)
      .then((report) => {
        if (report.fanoutsEnqueued || report.sendJobsEnqueued || report.batchesRequeued)
          deps.logger.info({ report }, 'sweeper re-enqueued work');
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'sweep failed; retrying next interval'))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
