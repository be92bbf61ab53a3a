import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

/**
 * Producers (API requests) fail fast so a Redis outage becomes a stored-but-not-yet-enqueued event
 * rather than a hung request; workers block on Redis and must wait for it forever
 * (`maxRetriesPerRequest: null`, which BullMQ requires).
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const common: RedisOptions = {
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
  };
  const options: RedisOptions =
    role === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: true }
      : { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
  const redis = new Redis(url, options);
  // Errors surface through commands and readiness; an 'error' event must not crash the process.
  redis.on('error', () => {});
  return redis;
}

export class RedisPolicyError extends Error {
  constructor(policy: string) {
    super(
      `Redis maxmemory-policy is "${policy}"; Candor needs "noeviction" so that queued jobs are never evicted. ` +
        'Set it with `redis-cli config set maxmemory-policy noeviction` (and in redis.conf).',
    );
    this.name = 'RedisPolicyError';
  }
}

/** Refuses to run on a Redis that may evict keys: an evicted job is a lost e-mail. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1] ?? 'unknown';
  if (policy !== 'noeviction') throw new RedisPolicyError(policy);
}

/** Waits until the client is ready or the timeout passes. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
