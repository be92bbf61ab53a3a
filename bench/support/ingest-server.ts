import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { Metrics } from '../../src/http/metrics.js';
import { closeDeps, createDeps } from '../../src/runtime.js';
import { seed } from '../audience.js';

/**
 * The API under test for `bench/ingest.ts`, in a process of its own so that the load generator does not
 * share an event loop (or a CPU profile) with the server it measures. Prints one JSON line with its URL.
 */
const config = loadConfig(process.env);
const database = await openDatabase(
  config.databaseUrl ? { databaseUrl: config.databaseUrl, maxConnections: 10 } : {},
);
const deps = await createDeps({
  config,
  database,
  logger: pino({ level: 'error' }),
  metrics: new Metrics({ defaultMetrics: false }),
});
const customers = Number(process.env.BENCH_CUSTOMERS ?? 3_000);
await seed(database.db, 0, customers);
const app = await buildApp(deps);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url, customers }));

// The parent ends the run with SIGTERM; closing cleanly lets `--cpu-prof` write its profile.
process.once('SIGTERM', async () => {
  await app.close();
  await closeDeps(deps);
  process.exit(0);
});
