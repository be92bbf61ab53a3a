import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Queues } from './delivery/queues.js';
import type { Transport } from './delivery/transports/transport.js';
import type { Metrics } from './http/metrics.js';

/**
 * Everything a service may need, built once per process (see `runtime.ts`) and passed explicitly:
 * routes, workers and tests all hand the same object to the same service functions.
 */
export interface AppDeps {
  config: Config;
  logger: Logger;
  database: Database;
  /** Producer connection (fails fast). */
  redis: Redis;
  queues: Queues;
  transport: Transport;
  metrics: Metrics;
  /** HMAC key shared by all replicas (see `db/signing-secret.ts`). */
  signingSecret: Buffer;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}
