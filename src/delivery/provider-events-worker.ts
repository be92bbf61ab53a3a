import { type Job, Worker } from 'bullmq';
import type { AppDeps } from '../deps.js';
import { createRedis } from '../redis/connection.js';
import { applyProviderEvent } from './provider-events.js';
import { type JobPayload, jobPayloadSchemas, queueName } from './queues.js';

export interface ProviderEventsWorkerOptions {
  /** Same as the producers' `Queues` name prefix (tests). */
  queueNamePrefix?: string;
  /** Events applied at once per process (default 4); each is one short transaction. */
  concurrency?: number;
}

/**
 * Applies stored provider events to messages. The job carries only the event row id; the payload stays
 * in the database. An unmatched event completes (the sweeper retries it via
 * `processPendingProviderEvents`) so BullMQ does not burn attempts on a race with the send worker.
 * Closing the returned worker also closes its own blocking connection.
 */
export function startProviderEventsWorker(
  deps: AppDeps,
  options: ProviderEventsWorkerOptions = {},
): Worker<JobPayload<'provider-events'>> {
  const connection = createRedis(deps.config.redisUrl, 'worker');
  const worker = new Worker<JobPayload<'provider-events'>>(
    queueName('provider-events', options.queueNamePrefix),
    async (job: Job<JobPayload<'provider-events'>>) => {
      const { deliveryEventId } = jobPayloadSchemas['provider-events'].parse(job.data);
      return applyProviderEvent(deps, deliveryEventId);
    },
    { connection, prefix: deps.config.queuePrefix, concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, error) =>
    deps.logger.warn(
      { queue: worker.name, jobId: job?.id, deliveryEventId: job?.data.deliveryEventId, err: error },
      'provider event job failed',
    ),
  );
  worker.on('error', (error) => deps.logger.error({ queue: worker.name, err: error }, 'worker error'));
  worker.on('closed', () => connection.disconnect());
  return worker;
}
