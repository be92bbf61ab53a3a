import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { ensureBootstrapAdmin } from './auth/bootstrap.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { startSweeper } from './delivery/sweeper.js';
import { type RunningWorkers, startWorkers } from './delivery/workers.js';
import type { AppDeps } from './deps.js';
import { RedisPolicyError } from './redis/connection.js';
import { ensureLocalRedis, type LocalRedis, RedisUnavailableError } from './redis/local-server.js';
import { startDigestSchedule } from './replies/digest-schedule.js';
import { startSmtpListener } from './replies/smtp.js';
import { closeDeps, createDeps, createLogger } from './runtime.js';

export interface BootOptions {
  /** Serve HTTP. */
  api: boolean;
  /** Run the queue workers and the sweeper. */
  workers: boolean;
  /** All-in-one mode: may start a local redis-server and seeds by default. */
  allInOne: boolean;
}

export interface Booted {
  config: Config;
  deps: AppDeps;
  app?: FastifyInstance;
  workers?: RunningWorkers;
  url?: string;
}

/** Loads config or exits with one line per bad variable. */
export function loadConfigOrExit(defaults: { seed?: boolean }): Config {
  try {
    return loadConfig(process.env, defaults);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Starts the parts a process runs and wires graceful shutdown: on SIGTERM/SIGINT stop accepting
 * requests, let in-flight jobs finish, then close Redis and the database (and a child redis-server).
 */
export async function boot(
  options: BootOptions,
  hooks: {
    /** Runs after the database and Redis are ready, before HTTP listens (seeding). */
    beforeListen?: (deps: AppDeps) => Promise<void>;
    afterListen?: (booted: Booted) => Promise<void> | void;
  } = {},
): Promise<Booted> {
  const config = loadConfigOrExit({ seed: options.allInOne });
  const logger = createLogger(config);
  let localRedis: LocalRedis | null = null;
  let deps: AppDeps;
  try {
    if (options.allInOne) localRedis = await ensureLocalRedis(config.redisUrl, config.dataDir, logger);
    deps = await createDeps({ config, logger });
  } catch (error) {
    if (error instanceof RedisUnavailableError || error instanceof RedisPolicyError) {
      console.error(error.message);
      await localRedis?.stop();
      process.exit(1);
    }
    throw error;
  }
  await ensureBootstrapAdmin(deps);
  await hooks.beforeListen?.(deps);

  const booted: Booted = { config, deps };
  if (options.workers) booted.workers = startWorkers(deps);
  const sweeper = options.workers
    ? startSweeper(deps, config.sweepIntervalSeconds * 1000, {
        graceMs: config.sweepGraceSeconds * 1000,
        stuckSendingMs: config.sweepStuckSeconds * 1000,
      })
    : undefined;
  const digest = options.workers ? startDigestSchedule(deps) : undefined;
  // The reply domain's own MX, only when configured; it stores and queues like the other ways in.
  const smtp =
    options.workers && config.smtpInboundPort !== undefined
      ? await startSmtpListener(deps, { port: config.smtpInboundPort })
      : undefined;
  if (options.api) {
    // Loaded only here: a worker process never pays for the HTTP stack (~45 MB of RSS of its 300 MB budget).
    const { buildApp } = await import('./app.js');
    booted.app = await buildApp(deps);
    booted.url = await booted.app.listen({ port: config.port, host: config.host });
  }

  closeWithGrace({ delay: 15_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await booted.app?.close();
    await smtp?.close();
    digest?.stop();
    await sweeper?.stop();
    await booted.workers?.close();
    await closeDeps(deps);
    await localRedis?.stop();
  });
  await hooks.afterListen?.(booted);
  return booted;
}
