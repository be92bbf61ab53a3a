import path from 'node:path';
import { type Logger, pino } from 'pino';
import { ensureDefaultSegments } from './audience/segment-audience.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { loadSigningSecret } from './db/signing-secret.js';
import { Queues } from './delivery/queues.js';
import { createTransport } from './delivery/transports/index.js';
import type { Transport } from './delivery/transports/transport.js';
import type { AppDeps } from './deps.js';
import { Metrics } from './http/metrics.js';
import { assertNoEviction, createRedis, waitForRedis } from './redis/connection.js';

export function createLogger(config: Pick<Config, 'logLevel' | 'env'>): Logger {
  return pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'],
  });
}

export interface CreateDepsOptions {
  config: Config;
  logger?: Logger;
  /** An already-open database (tests); otherwise opened from the config. */
  database?: Database;
  transport?: Transport;
  /** Keeps test queues apart. */
  queueNamePrefix?: string;
  metrics?: Metrics;
}

/**
 * Opens what every process needs, in the order that gives the clearest error: the database (migrated),
 * then Redis (must be reachable with `noeviction`), then the transport.
 */
export async function createDeps(options: CreateDepsOptions): Promise<AppDeps> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
    }));
  const signingSecret = await loadSigningSecret(database.db);
  await ensureDefaultSegments(database.db);
  const redis = createRedis(config.redisUrl, 'producer');
  try {
    await waitForRedis(redis, 5_000);
    await assertNoEviction(redis);
  } catch (error) {
    redis.disconnect();
    if (!options.database) await database.close();
    throw error;
  }
  const queues = new Queues({
    connection: redis,
    prefix: config.queuePrefix,
    namePrefix: options.queueNamePrefix,
  });
  const transport = options.transport ?? createTransport(config, database.db);
  const metrics = options.metrics ?? new Metrics();
  return { config, logger, database, redis, queues, transport, metrics, signingSecret };
}

/** Closes in reverse order of opening. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  await deps.queues.close();
  await deps.transport.close();
  deps.redis.disconnect();
  await deps.database.close();
}
