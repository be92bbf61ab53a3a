import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import type { Transport } from '../../src/delivery/transports/transport.js';
import type { AppDeps } from '../../src/deps.js';
import { Metrics } from '../../src/http/metrics.js';
import { closeDeps, createDeps } from '../../src/runtime.js';
import { type Driver, openTestDatabase, type TestDatabase } from './database.js';

export interface TestDeps extends AppDeps {
  database: TestDatabase;
  /** Unique per test deps: queue names are `${queueNamePrefix}-fanout` etc. */
  queueNamePrefix: string;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: inject('redisUrl'),
    CANDOR_DATA_DIR: '/nonexistent-candor-test-dir',
    CANDOR_NOTICE_HOLD_SECONDS: '0',
    CANDOR_SESSION_SECRET: 'test-session-secret-test-session-secret-0123456789',
    ...env,
  });
}

/**
 * Real database (fresh), real Redis, queues of their own; everything removed again by `close()`.
 */
export async function createTestDeps(
  driver: Driver,
  options: {
    env?: Record<string, string>;
    transport?: Transport;
    /** `false` for tests whose workers run in another process: isolate with CANDOR_QUEUE_PREFIX instead. */
    queueNamePrefix?: false;
  } = {},
): Promise<TestDeps> {
  const config = testConfig(options.env);
  const database = await openTestDatabase(driver);
  const queueNamePrefix = options.queueNamePrefix === false ? '' : `t${randomBytes(5).toString('hex')}`;
  const deps = await createDeps({
    config,
    database,
    logger: pino({ level: config.logLevel }),
    queueNamePrefix: queueNamePrefix || undefined,
    transport: options.transport,
    metrics: new Metrics({ defaultMetrics: false }),
  });
  return {
    ...deps,
    database,
    queueNamePrefix,
    close: async () => {
      await deps.queues.obliterate().catch(() => {});
      await closeDeps(deps);
    },
  };
}
