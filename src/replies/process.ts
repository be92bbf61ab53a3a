import { type Job, Worker } from 'bullmq';
import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import { replies } from '../db/schema.js';
import { type JobPayload, jobPayloadSchemas, queueName } from '../delivery/queues.js';
import type { AppDeps } from '../deps.js';
import { createRedis } from '../redis/connection.js';
import { type AnalyzeOutcome, analyzeReply } from './analyze.js';
import { type ForwardOutcome, forwardReply } from './forward.js';
import { type InboundLimits, inboundLimitsOf } from './limits.js';
import { fetchResendRaw } from './resend-inbound.js';

type Deps = Pick<AppDeps, 'database' | 'config' | 'logger' | 'queues' | 'transport'>;

export interface ProcessOutcome {
  analyzed: AnalyzeOutcome | null;
  forwarded: ForwardOutcome;
}

/**
 * Everything after storage, for one reply, safe to repeat: fetch the raw message (Resend
 * placeholders), analyze it (once), forward it to the executive (once). This is what the `inbound`
 * job runs and what the sweeper runs for replies whose job never ran.
 */
export async function processReply(
  deps: Deps,
  replyId: string,
  limits: InboundLimits = inboundLimitsOf(deps.config),
): Promise<ProcessOutcome> {
  await fetchResendRaw(deps, replyId, limits.maxBytes);
  const analyzed = await analyzeReply(deps, replyId, limits);
  const forwarded = analyzed ? await forwardReply(deps, replyId) : 'not_needed';
  return { analyzed, forwarded };
}

/** Replies younger than this are left to their job (or the inline analysis of `POST /v1/inbound/mime`). */
const GRACE_MS = 30_000;

/**
 * Sweeper hook: processes replies still `received` (Redis was down, the job was lost, Resend could
 * not be reached) and forwards still pending. Returns counts; failures are logged and retried next
 * sweep.
 */
export async function processPendingReplies(
  deps: Deps,
  limit = 100,
  now = new Date(),
): Promise<{ processed: number; failed: number }> {
  const before = new Date(now.getTime() - GRACE_MS);
  const pending = await deps.database.db
    .select({ id: replies.id })
    .from(replies)
    .where(
      and(
        lt(replies.receivedAt, before),
        or(eq(replies.status, 'received'), sql`${replies.headers}->'candor'->>'forward' = 'pending'`),
      ),
    )
    .orderBy(asc(replies.receivedAt), asc(replies.id))
    .limit(limit);
  let processed = 0;
  let failed = 0;
  for (const { id } of pending) {
    try {
      await processReply(deps, id);
      processed++;
    } catch (error) {
      failed++;
      deps.logger.warn(
        { err: error, replyId: id },
        'pending reply could not be processed; next sweep retries',
      );
    }
  }
  return { processed, failed };
}

export interface InboundWorkerOptions {
  /** Same as the producers' `Queues` name prefix (tests). */
  queueNamePrefix?: string;
  /** Replies processed at once per process (default 4). */
  concurrency?: number;
  /** Parsing limits (default: the configured `CANDOR_INBOUND_MAX_*`). */
  limits?: InboundLimits;
}

/** Starts the `inbound` worker; closing it also closes its own blocking connection. */
export function startInboundWorker(
  deps: AppDeps,
  options: InboundWorkerOptions = {},
): Worker<JobPayload<'inbound'>> {
  const connection = createRedis(deps.config.redisUrl, 'worker');
  const worker = new Worker<JobPayload<'inbound'>>(
    queueName('inbound', options.queueNamePrefix),
    async (job: Job<JobPayload<'inbound'>>) => {
      const { replyId } = jobPayloadSchemas.inbound.parse(job.data);
      const outcome = await processReply(deps, replyId, options.limits);
      return {
        kind: outcome.analyzed?.kind ?? 'missing',
        matched: outcome.analyzed?.matched ?? false,
        forwarded: outcome.forwarded,
      };
    },
    { connection, prefix: deps.config.queuePrefix, concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, error) =>
    deps.logger.warn(
      { queue: worker.name, jobId: job?.id, replyId: job?.data.replyId, err: error },
      'inbound job failed',
    ),
  );
  worker.on('error', (error) => deps.logger.error({ queue: worker.name, err: error }, 'worker error'));
  worker.on('closed', () => connection.disconnect());
  return worker;
}
