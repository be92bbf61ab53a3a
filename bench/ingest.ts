import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import {
  cpuSecondsOf,
  cpuSecondsOfCommand,
  loadAverage,
  stopChild,
  throwawayDatabase,
  writeResult,
} from './lib.js';

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

/**
 * Every request is a new event id. Without `updates` each opens a new incident, so each lifecycle starts
 * legally; with it, every second request moves the incident the one before opened to `identified`
 * (on one connection the two arrive in order), so half the events take an existing incident's path.
 */
function eventRequests(prefix: string, updates: boolean) {
  let n = 0;
  return [
    {
      method: 'POST' as const,
      path: '/v1/events',
      setupRequest: (request: autocannon.Request) => {
        n++;
        const opens = !updates || n % 2 === 1;
        const i = opens ? n : n - 1;
        return {
          ...request,
          body: JSON.stringify({
            id: `${prefix}-${n}`,
            type: opens ? 'incident.investigating' : 'incident.identified',
            occurred_at: new Date().toISOString(),
            incident: {
              ref: `${prefix}-inc-${i}`,
              title: 'Errors loading the help desk',
              severity: i % 5 === 0 ? 'critical' : 'major',
              components: [i % 2 ? 'helpdesk' : 'api'],
              regions: [i % 3 ? 'us' : 'eu'],
            },
            message: opens
              ? 'Some customers see errors loading the help desk. We are investigating.'
              : 'We found the cause: a failed database node. We are moving traffic away from it.',
          }),
        };
      },
    },
  ];
}

/**
 * How a phase spreads its requests over each second. autocannon 8 paces a connection by letting it send
 * its whole per-second quota back to back when its 1 s timer fires, and all of an instance's timers fire
 * together, so one instance with `overallRate: 500` delivers each second's 500 requests as one burst at
 * the server's full speed, then nothing.
 * - `paced`: one single-connection instance per 10 events/s, started `1000 / lanes` ms apart, so the
 *   arrivals are spread over the second (at most 10 back to back on one connection). This is the fixed
 *   rate the target speaks of.
 * - `bursts`: one instance with `overallRate` and one connection per 25 events/s (at least 10), autocannon's
 *   own pacing: the load the earlier figures in BENCHMARKS.md were measured under.
 * - `updates`: paced, but every second event updates the incident its lane opened just before.
 */
export type Pacing = 'paced' | 'bursts' | 'updates';

const LANE_RATE = 10;
/** As many connections as the earlier figures used, so the burst rows stay comparable with them. */
const burstConnections = (rate: number) => Math.max(10, Math.ceil(rate / 25));

/** Nearest-rank percentile of sorted values, to 0.1 ms. */
const percentile = (sorted: readonly number[], p: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0) * 10) / 10;

async function phase(url: string, rate: number, seconds: number, prefix: string, pacing: Pacing) {
  const lanes = pacing === 'bursts' ? 1 : Math.ceil(rate / LANE_RATE);
  // Every response's own time. autocannon's histogram is not used: with a rate set, it "corrects for
  // coordinated omission" with an expected interval of ceil(1 / rate) = 1 ms (requests per second read
  // as milliseconds), adding a synthetic sample for every millisecond of every response.
  const latencies: number[] = [];
  const runLane = async (lane: number) => {
    await new Promise((resolve) => setTimeout(resolve, (lane * 1000) / lanes));
    const options: autocannon.Options = {
      url,
      connections: pacing === 'bursts' ? burstConnections(rate) : 1,
      overallRate: Math.floor(rate / lanes) + (lane < rate % lanes ? 1 : 0),
      duration: seconds,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      requests: eventRequests(`${prefix}-${lane}`, pacing === 'updates'),
    };
    return new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
      instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
    });
  };
  const results = await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(lane)));
  const total = (count: (r: autocannon.Result) => number) => results.reduce((sum, r) => sum + count(r), 0);
  latencies.sort((a, b) => a - b);
  return {
    pacing,
    rate,
    seconds,
    requests: total((r) => r.requests.total),
    achievedPerSecond: Math.round(total((r) => r.requests.total) / seconds),
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: percentile(latencies, 1),
    errors: total((r) => r.errors + r.timeouts),
    non2xx: total((r) => r.non2xx),
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
    // At the measured rate: after a gentler warm-up (50 events/s) the server queued requests for the first
    // 3–4 s of the first phase, which is a start-up effect, not the rate's steady state (BENCHMARKS.md).
    await phase(server.url, Math.max(...rates), 4, `warm-${tag}`, 'paced');
    const phases = [];
    for (const pacing of ['paced', 'bursts', 'updates'] as const) {
      for (const rate of rates) {
        const load = loadAverage();
        const apiCpu = await cpuSecondsOf(server.child.pid!);
        const dbCpu = await cpuSecondsOfCommand('postgres');
        const result = await phase(server.url, rate, seconds, `${pacing}${rate}-${tag}`, pacing);
        // CPU per event moves far less with the machine's other work than latency does near capacity.
        const perEvent = (cpuSeconds: number) => Math.round((cpuSeconds * 1e6) / result.requests) / 1e3;
        phases.push({
          ...result,
          apiCpuMsPerEvent: perEvent((await cpuSecondsOf(server.child.pid!)) - apiCpu),
          dbCpuMsPerEvent: database ? perEvent((await cpuSecondsOfCommand('postgres')) - dbCpu) : null,
          load,
        });
      }
    }
    console.table(phases.map(({ load, ...p }) => ({ ...p, load: load.join(' ') })));
    const at500 = phases.find((p) => p.rate === 500 && p.pacing === 'paced');
    const burst500 = phases.find((p) => p.rate === 500 && p.pacing === 'bursts');
    const updates500 = phases.find((p) => p.rate === 500 && p.pacing === 'updates');
    if (at500) console.log(`p99 at 500 events/s, paced: ${at500.p99Ms} ms (target ≤ 25 ms)`);
    if (burst500) console.log(`p99 at 500 events/s in per-second bursts: ${burst500.p99Ms} ms`);
    if (updates500) console.log(`p99 at 500 events/s paced, half of them updates: ${updates500.p99Ms} ms`);
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
    if (server) await stopChild(server.child);
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch(() => {});
    const keys = await redis.keys(`${queuePrefix}:*`).catch(() => []);
    if (keys.length > 0) await redis.del(...keys).catch(() => {});
    redis.disconnect();
    await database?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
