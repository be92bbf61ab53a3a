import { and, eq, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { communications, messages } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { IDEMPOTENCY_KEY_TTL_MS, purgeExpiredIdempotencyKeys } from '../incidents/idempotency.js';
import { processPendingReplies } from '../replies/process.js';
import { enqueueDueFanouts } from './enqueue.js';
import { enqueueQueuedMessages, markSentIfFinished } from './fanout.js';
import { processPendingProviderEvents } from './provider-events.js';
import { jobIds, MAX_BATCH_SIZE } from './queues.js';

export interface SweepOptions {
  /** How long work may sit unqueued before the sweeper assumes Redis lost it. */
  graceMs?: number;
  /** How long a claimed batch may stay in flight before it is re-enqueued under its own key. */
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
    report.sendJobsEnqueued += await requeueUnclaimed(deps, communication.id, graceAgo);
    report.batchesRequeued += await requeueStuckBatches(
      deps,
      communication.id,
      new Date(now.getTime() - stuckMs),
    );
    if (await markSentIfFinished(deps, communication.id)) report.communicationsFinished++;
  }
  return report;
}

/** Queued rows whose send job vanished: enqueue them again (deterministic ids keep live jobs single). */
async function requeueUnclaimed(deps: Deps, communicationId: string, olderThan: Date): Promise<number> {
  const { db } = deps.database;
  const [stale] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(
      and(
        eq(messages.communicationId, communicationId),
        eq(messages.status, 'queued'),
        isNull(messages.sendBatchKey),
        lt(messages.updatedAt, olderThan),
      ),
    );
  if (!stale?.n) return 0;
  // Remove finished jobs with the same ids so the chunks can be added again.
  return enqueueQueuedMessages(deps, communicationId, olderThan);
}

/**
 * Batches claimed by a job that no longer exists (worker killed and Redis flushed) go back to the queue
 * under their original batch key: the provider's idempotency window turns a re-send into a replay.
 */
async function requeueStuckBatches(deps: Deps, communicationId: string, olderThan: Date): Promise<number> {
  const { db } = deps.database;
  const stuck = await db
    .select({ batchKey: messages.sendBatchKey, id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.communicationId, communicationId),
        eq(messages.status, 'sending'),
        isNotNull(messages.sendBatchKey),
        lt(messages.sendingAt, olderThan),
      ),
    )
    .limit(MAX_BATCH_SIZE * 50);
  const byKey = new Map<string, string[]>();
  for (const row of stuck) byKey.set(row.batchKey!, [...(byKey.get(row.batchKey!) ?? []), row.id]);
  let requeued = 0;
  for (const [batchKey, ids] of byKey) {
    const payload = { communicationId, messageIds: ids.slice(0, MAX_BATCH_SIZE) };
    if (await deps.queues.addUnlessLive('send', payload, batchKey)) requeued++;
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
