import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export class RedisUnavailableError extends Error {
  constructor(url: string, reason: string) {
    super(
      `Redis is not reachable at ${url} (${reason}).\n` +
        'Candor needs Redis for its queues. Either:\n' +
        '  - run one with Docker:       docker compose up -d redis\n' +
        '  - install it (Debian/Ubuntu): sudo apt-get install -y redis-server   (npm start then runs it for you)\n' +
        '  - or point REDIS_URL at an existing Redis (maxmemory-policy noeviction).',
    );
    this.name = 'RedisUnavailableError';
  }
}

export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Only the default local address is ours to start; anything else was configured and must be fixed. */
function isDefaultLocal(url: string, anyPort: boolean): boolean {
  const u = new URL(url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && !u.password;
  return loopback && (anyPort || u.port === '' || u.port === '6379');
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export interface LocalRedis {
  url: string;
  /** Stops the child (Redis flushes its AOF on SIGTERM). */
  stop(): Promise<void>;
}

/**
 * All-in-one mode convenience: when the default local Redis is not running and `redis-server` is
 * installed, run one as a child with its data (AOF on, `noeviction`) under the data directory.
 * Returns null when a Redis already answers; throws a how-to message when neither works.
 */
export async function ensureLocalRedis(
  url: string,
  dataDir: string,
  logger: Logger,
  /** Tests start children on free ports; production only ever on the default address. */
  options: { anyLoopbackPort?: boolean } = {},
): Promise<LocalRedis | null> {
  if (await redisAnswers(url)) return null;
  if (!isDefaultLocal(url, options.anyLoopbackPort ?? false))
    throw new RedisUnavailableError(url, 'no answer');
  if (!onPath('redis-server'))
    throw new RedisUnavailableError(url, 'no answer, and redis-server is not installed');
  const dir = path.join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = new URL(url).port || '6379';
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      port,
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  for (let i = 0; i < 100 && !exited; i++) {
    if (await redisAnswers(url, 200)) {
      logger.info({ dir, port }, 'started a local redis-server for Candor');
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            if (exited) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(url, `redis-server did not start; see ${path.join(dir, 'redis.log')}`);
}
