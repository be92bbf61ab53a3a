import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { loadAverage, throwawayDatabase, writeResult } from './lib.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-bootstrap-key-0123456789';

/** Options of {@link run}; every field also has an environment override for the command line. */
export interface IngestBenchOptions {
  /** Events per second, one fixed-rate phase each. */
  rates?: number[];
  secondsPerRate?: number;
  customers?: number;
  /** Write a V8 CPU profile of the API process to `bench/results/profiles/`. */
  profile?: boolean;
}

const envNumbers = (name: string) => process.env[name]?.split(',').map(Number);

/** Starts `bench/support/ingest-server.ts` and resolves with its URL once it listens. */
async function startServer(env: Record<string, string>, profile: boolean) {
  const flags = profile ? ['--cpu-prof', '--cpu-prof-dir', path.join(root, 'bench/results/profiles')] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'bench/support/ingest-server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ingest server did not start in 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`ingest server exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { child, url };
}

/** Every request is a new incident, so every event is fresh and each lifecycle starts legally. */
function eventRequests(prefix: string) {
  let n = 0;
  return [
    {
      method: 'POST' as const,
      path: '/v1/events',
      setupRequest: (request: autocannon.Request) => {
        n++;
        return {
          ...request,
          body: JSON.stringify({
            id: `${prefix}-${n}`,
            type: 'incident.investigating',
            occurred_at: new Date().toISOString(),
            incident: {
              ref: `${prefix}-inc-${n}`,
              title: 'Errors loading the help desk',
              severity: n % 5 === 0 ? 'critical' : 'major',
              components: [n % 2 ? 'helpdesk' : 'api'],
              regions: [n % 3 ? 'us' : 'eu'],
            },
            message: 'Some customers see errors loading the help desk. We are investigating.',
          }),
        };
      },
    },
  ];
}

async function phase(url: string, rate: number, seconds: number, prefix: string) {
  const result = await autocannon({
    url,
    connections: Math.max(10, Math.ceil(rate / 25)),
    overallRate: rate,
    duration: seconds,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    requests: eventRequests(prefix),
  });
  return {
    rate,
    seconds,
    requests: result.requests.total,
    achievedPerSecond: Math.round(result.requests.total / seconds),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * `npm run bench -- ingest`: fixed-rate `POST /v1/events` against the API (its own process) with a few
 * thousand customers, PostgreSQL when `DATABASE_URL` is set (else PGlite), notices held so nothing sends.
 */
export async function run(options: IngestBenchOptions = {}) {
  const rates = options.rates ?? envNumbers('BENCH_INGEST_RATES') ?? [100, 250, 500];
  const seconds = options.secondsPerRate ?? Number(process.env.BENCH_INGEST_SECONDS ?? 10);
  const customers = options.customers ?? Number(process.env.BENCH_CUSTOMERS ?? 3_000);
  const profile = options.profile ?? process.env.BENCH_PROFILE === '1';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const serverUrl = process.env.DATABASE_URL;
  const database = serverUrl ? await throwawayDatabase(serverUrl, 'candor_bench_ingest') : undefined;
  const queuePrefix = `{benchingest${randomBytes(3).toString('hex')}}`;
  let server: { child: ChildProcess; url: string } | undefined;
  try {
    server = await startServer(
      {
        ...(database ? { DATABASE_URL: database.url } : {}),
        REDIS_URL: redisUrl,
        CANDOR_QUEUE_PREFIX: queuePrefix,
        CANDOR_TRANSPORT: 'outbox',
        CANDOR_NOTICE_HOLD_SECONDS: '86400',
        CANDOR_BOOTSTRAP_API_KEY: KEY,
        BENCH_CUSTOMERS: String(customers),
        LOG_LEVEL: 'error',
      },
      profile,
    );
    const tag = randomBytes(3).toString('hex');
    await phase(server.url, 50, 2, `warm-${tag}`); // JIT, pool and prepared plans before the clock
    const phases = [];
    for (const rate of rates) {
      const load = loadAverage();
      phases.push({ ...(await phase(server.url, rate, seconds, `r${rate}-${tag}`)), load });
    }
    console.table(phases.map(({ load, ...p }) => ({ ...p, load: load.join(' ') })));
    const at500 = phases.find((p) => p.rate === 500);
    if (at500) console.log(`p99 at 500 events/s: ${at500.p99Ms} ms (target ≤ 25 ms)`);
    const file = await writeResult('ingest', {
      benchmark: 'ingest',
      at: new Date().toISOString(),
      database: database ? 'postgres' : 'pglite',
      customers,
      phases,
      meetsTarget: at500 ? at500.p99Ms <= 25 && at500.errors + at500.non2xx === 0 : null,
    });
    console.log(`written to ${path.relative(process.cwd(), file)}`);
    return phases;
  } finally {
    if (server) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      server.child.kill('SIGKILL');
    }
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch(() => {});
    const keys = await redis.keys(`${queuePrefix}:*`).catch(() => []);
    if (keys.length > 0) await redis.del(...keys).catch(() => {});
    redis.disconnect();
    await database?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
