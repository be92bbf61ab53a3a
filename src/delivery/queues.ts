import { type JobsOptions, Queue, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The one place that names Candor's queues, the shape of each job payload and the default job options.
 * Payloads carry ids only: personal data stays in the database, never in Redis.
 */
export const queueNames = ['fanout', 'send', 'provider-events', 'inbound'] as const;
export type QueueName = (typeof queueNames)[number];

export const MAX_BATCH_SIZE = 100;

export const jobPayloadSchemas = {
  fanout: z.object({ communicationId: z.string().min(1) }),
  send: z.object({
    communicationId: z.string().min(1),
    /** Message row ids; at most one provider batch. */
    messageIds: z.array(z.string().min(1)).min(1).max(MAX_BATCH_SIZE),
  }),
  'provider-events': z.object({ deliveryEventId: z.string().min(1) }),
  inbound: z.object({ replyId: z.string().min(1) }),
} satisfies Record<QueueName, z.ZodType>;

export type JobPayload<Q extends QueueName> = z.infer<(typeof jobPayloadSchemas)[Q]>;

/**
 * Exponential backoff with jitter so that retries after a shared outage do not arrive in lockstep;
 * completed/failed jobs are bounded so Redis memory stays flat (the database keeps the history).
 */
export const defaultJobOptions: Record<QueueName, JobsOptions> = {
  fanout: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000, age: 24 * 3600 },
    removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
  },
  send: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    removeOnComplete: { count: 5_000, age: 24 * 3600 },
    removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
  },
  'provider-events': {
    attempts: 10,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000, age: 24 * 3600 },
    removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
  },
  inbound: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000, age: 24 * 3600 },
    removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
  },
};

/** Deterministic job ids: adding the same work twice is a no-op while the first job is still known. */
export const jobIds = {
  fanout: (communicationId: string) => `fanout-${communicationId}`,
  send: (communicationId: string, firstMessageId: string) => `send-${communicationId}-${firstMessageId}`,
  providerEvent: (deliveryEventId: string) => `pe-${deliveryEventId}`,
  inbound: (replyId: string) => `in-${replyId}`,
};

export interface QueuesOptions {
  /** Key prefix; a `{hash tag}` keeps each queue on one Redis Cluster slot. */
  prefix: string;
  /** Producer connection: fails fast (see `createRedis`). */
  connection: Redis;
  /** Prepended to queue names; tests use it to keep their queues apart. */
  namePrefix?: string;
}

/** Producers for every queue. Adding validates the payload so a bad job never reaches Redis. */
export class Queues {
  readonly byName: Record<QueueName, Queue>;

  constructor(readonly options: QueuesOptions) {
    const make = (name: QueueName) => {
      const queueOptions: QueueOptions = {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: defaultJobOptions[name],
      };
      return new Queue(queueName(name, options.namePrefix), queueOptions);
    };
    this.byName = {
      fanout: make('fanout'),
      send: make('send'),
      'provider-events': make('provider-events'),
      inbound: make('inbound'),
    };
  }

  async add<Q extends QueueName>(name: Q, payload: JobPayload<Q>, jobId: string, options: JobsOptions = {}) {
    const data = jobPayloadSchemas[name].parse(payload);
    return this.byName[name].add(name, data, { ...options, jobId });
  }

  /**
   * Adds a job under its deterministic id unless one is still waiting, delayed or running; a finished
   * (completed or failed) job of that id is removed first, since BullMQ would otherwise ignore the add.
   * Resolves true when a job was added. The way back for work Redis lost or a run gave up on.
   */
  async addUnlessLive<Q extends QueueName>(
    name: Q,
    payload: JobPayload<Q>,
    jobId: string,
    options: JobsOptions = {},
  ): Promise<boolean> {
    const existing = await this.byName[name].getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      await existing.remove();
    }
    await this.add(name, payload, jobId, options);
    return true;
  }

  /** Adds many jobs in one round trip; `options` (e.g. a delay) is per job. */
  async addBulk<Q extends QueueName>(
    name: Q,
    jobs: { payload: JobPayload<Q>; jobId: string; options?: JobsOptions }[],
  ) {
    if (jobs.length === 0) return [];
    return this.byName[name].addBulk(
      jobs.map((job) => ({
        name,
        data: jobPayloadSchemas[name].parse(job.payload),
        opts: { ...defaultJobOptions[name], ...job.options, jobId: job.jobId },
      })),
    );
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      queueNames.map(
        async (name) =>
          [
            name,
            await this.byName[name].getJobCounts(
              'waiting',
              'active',
              'delayed',
              'failed',
              'paused',
              'prioritized',
            ),
          ] as const,
      ),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  /** Removes every job of every queue (tests). */
  async obliterate(): Promise<void> {
    for (const queue of Object.values(this.byName)) await queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.byName).map((q) => q.close()));
  }
}

export function queueName(name: QueueName, namePrefix?: string): string {
  return namePrefix ? `${namePrefix}-${name}` : name;
}
