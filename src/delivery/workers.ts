import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { ApprovalMismatchError } from '../communications/approvals.js';
import type { AppDeps } from '../deps.js';
import { createRedis } from '../redis/connection.js';
import { TemplateError } from '../rendering/render.js';
import { startInboundWorker } from '../replies/process.js';
import { runFanout } from './fanout.js';
import { giveUpBatch } from './outcomes.js';
import { pacedTransport, RequestPacer } from './pacer.js';
import { startProviderEventsWorker } from './provider-events-worker.js';
import { type JobPayload, jobPayloadSchemas, queueName } from './queues.js';
import { runSend } from './send.js';
import { PermanentTransportError, QuotaExceededError, RateLimitedError } from './transports/transport.js';

export interface WorkerOptions {
  /** Same as the producers' `Queues` name prefix (tests). */
  queueNamePrefix?: string;
  /** Concurrent send jobs per process. */
  sendConcurrency?: number;
  /** Pause after a quota-exceeded answer before trying again. */
  quotaPauseMs?: number;
}

export interface RunningWorkers {
  fanout: Worker;
  send: Worker;
  providerEvents: Worker;
  inbound: Worker;
  /** Stops taking jobs, waits for the running ones, closes connections. */
  close(): Promise<void>;
}

/**
 * Starts the fan-out and send workers. Each has its own blocking connection (`maxRetriesPerRequest:
 * null`), so a Redis restart pauses them instead of failing jobs.
 */
export function startWorkers(deps: AppDeps, options: WorkerOptions = {}): RunningWorkers {
  const connection = createRedis(deps.config.redisUrl, 'worker');
  const lockDuration = deps.config.jobLockSeconds * 1000;
  // A killed worker's job is taken over after the lock lapses; a few stalls are allowed because the
  // send path is safe to re-run (batches fixed at fan-out and frozen before sending), and the sweeper catches the rest.
  const common = {
    connection,
    prefix: deps.config.queuePrefix,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 5,
  };

  const fanout = new Worker<JobPayload<'fanout'>>(
    queueName('fanout', options.queueNamePrefix),
    async (job: Job<JobPayload<'fanout'>>, token?: string) => {
      const { communicationId } = jobPayloadSchemas.fanout.parse(job.data);
      const outcome = await runFanout(deps, communicationId);
      if (outcome.kind === 'not_due') {
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
      return outcome;
    },
    { ...common, concurrency: 2 },
  );

  // Keep under the provider's request rate: one job is one provider request. One job per 1/rps seconds
  // rather than `rps` jobs per second, because a window-based limit lets two windows' worth through
  // back to back at the boundary, which a provider's sliding window answers with 429s.
  const limiter =
    deps.transport.name === 'resend'
      ? { max: 1, duration: Math.max(1, Math.floor(1000 / deps.config.resend.rps)) }
      : undefined;
  // Jobs start under the limiter; the provider call itself waits for its paced slot.
  const sendDeps = limiter
    ? {
        ...deps,
        transport: pacedTransport(
          deps.transport,
          new RequestPacer(
            connection,
            `${deps.config.queuePrefix}:${queueName('send', options.queueNamePrefix)}:pace`,
            deps.config.resend.rps,
          ),
        ),
      }
    : deps;
  const send: Worker<JobPayload<'send'>> = new Worker<JobPayload<'send'>>(
    queueName('send', options.queueNamePrefix),
    async (job: Job<JobPayload<'send'>>) => {
      const payload = jobPayloadSchemas.send.parse(job.data);
      const batchKey = job.id ?? `${job.name}-${job.timestamp}`;
      try {
        return await runSend(sendDeps, { ...payload, batchKey });
      } catch (error) {
        if (error instanceof RateLimitedError) {
          deps.metrics.transportErrors.inc({ transport: deps.transport.name, kind: 'rate_limited' });
          deps.metrics.emailsRateLimited.inc({ transport: deps.transport.name });
          // Pauses the whole queue and does not count as an attempt.
          await send.rateLimit(Math.max(error.retryAfterMs, 250));
          throw Worker.RateLimitError();
        }
        if (error instanceof QuotaExceededError) {
          deps.metrics.transportErrors.inc({ transport: deps.transport.name, kind: 'quota' });
          deps.logger.error({ err: error }, 'ALERT: provider sending quota exhausted; sending paused');
          await send.rateLimit(options.quotaPauseMs ?? 15 * 60_000);
          throw Worker.RateLimitError();
        }
        if (
          error instanceof PermanentTransportError ||
          error instanceof TemplateError ||
          error instanceof ApprovalMismatchError
        ) {
          // Retrying cannot fix bad credentials, an invalid payload, a template that does not render or
          // an apology whose content is not what its executive approved.
          deps.metrics.transportErrors.inc({ transport: deps.transport.name, kind: 'permanent' });
          await giveUpBatch(
            deps,
            { communicationId: payload.communicationId, batchKey },
            'failed',
            error.message,
          );
          throw new UnrecoverableError(error.message);
        }
        deps.metrics.transportErrors.inc({ transport: deps.transport.name, kind: 'transient' });
        throw error;
      }
    },
    {
      ...common,
      concurrency: options.sendConcurrency ?? deps.config.sendConcurrency,
      ...(limiter ? { limiter } : {}),
    },
  );

  const providerEvents = startProviderEventsWorker(deps, { queueNamePrefix: options.queueNamePrefix });
  const inbound = startInboundWorker(deps, { queueNamePrefix: options.queueNamePrefix });

  for (const worker of [fanout, send]) {
    worker.on('failed', (job, error) =>
      deps.logger.warn(
        { queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: error },
        'job failed',
      ),
    );
    worker.on('error', (error) => deps.logger.error({ queue: worker.name, err: error }, 'worker error'));
  }

  return {
    fanout,
    send,
    providerEvents,
    inbound,
    close: async () => {
      await Promise.all([fanout.close(), send.close(), providerEvents.close(), inbound.close()]);
      connection.disconnect();
    },
  };
}
