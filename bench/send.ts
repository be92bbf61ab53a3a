import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { buildWorker } from '../scripts/build-worker.js';
import type { Principal } from '../src/auth/principal.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import { communications, messages } from '../src/db/schema.js';
import { Metrics } from '../src/http/metrics.js';
import { ingestEvent } from '../src/incidents/ingest.js';
import { eventBodySchema } from '../src/incidents/schemas.js';
import { closeDeps, createDeps } from '../src/runtime.js';
import { FakeResend } from '../tests/support/fake-resend.js';
import {
  cpuSecondsOf,
  cpuSecondsOfCommand,
  loadAverage,
  peakRssOf,
  stopChild,
  throwawayDatabase,
  writeResult,
} from './lib.js';
import { naiveSend } from './support/naive-sender.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The worker exactly as `npm run start:worker` runs it (the bundle `build:worker` makes, which `run`
 * rebuilds first), flags read from package.json so the two cannot drift: a capped old space and a
 * bounded young generation keep RSS flat at no measurable cost in throughput (see BENCHMARKS.md).
 */
const WORKER_ARGS = (
  JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts['start:worker']!.split(' ').slice(1);

/** Options of {@link run}. */
export interface SendBenchOptions {
  /** PostgreSQL server for the throwaway database; default `DATABASE_URL`. */
  databaseUrl?: string;
  /** Redis for the queues; default `REDIS_URL` or the local default. */
  redisUrl?: string;
  /** Recipients of the unthrottled run. */
  recipients?: number;
  /** Recipients of the run under a provider cap of `throttledRps` requests per second. */
  throttledRecipients?: number;
  throttledRps?: number;
  /** Recipients of the naive per-recipient baseline (render + one request each). */
  naiveRecipients?: number;
}

/** One contact per customer, all affected by an incident in `us` on `helpdesk`, all in one segment. */
async function seed(db: Db, count: number) {
  await db.execute(sql`
    insert into customers (id, ref, name, tier, regions, components)
    select 'cus_' || lpad(i::text, 9, '0'), 'c' || i, 'Customer ' || i, 'pro', array['us'], array['helpdesk']
    from generate_series(1, ${count}::int) as i`);
  await db.execute(sql`
    insert into contacts (id, customer_id, email, name)
    select 'con_' || lpad(i::text, 9, '0'), 'cus_' || lpad(i::text, 9, '0'), 'user@c' || i || '.example', 'User ' || i
    from generate_series(1, ${count}::int) as i`);
  await db.execute(sql`analyze customers; analyze contacts`);
}

interface ScenarioResult {
  recipients: number;
  providerRps: number | null;
  seconds: number;
  /** Event accepted → last e-mail accepted: includes the fan-out's first page and the first request. */
  emailsPerSecond: number;
  /** First → last accepted batch: the rate the send path sustains once it is running. */
  steadyEmailsPerSecond: number;
  /** Event accepted → the fan-out's last message row written: the send cannot finish before it. */
  fanoutSeconds: number;
  workerPeakRssMiB: number;
  /** Worker CPU per 1,000 e-mails: a figure other processes on the machine disturb far less than e-mails/s. */
  workerCpuMsPer1000: number;
  /**
   * This process's CPU per 1,000 e-mails: mostly the Resend fake (it shares the two cores with the
   * worker and PostgreSQL, which a real provider would not), plus the event and the polling.
   */
  fakeCpuMsPer1000: number;
  /** PostgreSQL's CPU per 1,000 e-mails (the server and all its backends): the third process on the cores. */
  dbCpuMsPer1000: number;
  rateLimited429: number;
  lost: number;
  duplicated: number;
}

async function scenario(
  serverUrl: string,
  redisUrl: string,
  recipients: number,
  providerRps: number | null,
): Promise<ScenarioResult> {
  const database = await throwawayDatabase(serverUrl, 'candor_bench_send');
  const resend = await new FakeResend({
    rps: providerRps ?? Number.POSITIVE_INFINITY,
    keepDeliveries: false,
  }).start();
  const queuePrefix = `{bench${Date.now()}}`;
  const env = {
    REDIS_URL: redisUrl,
    CANDOR_QUEUE_PREFIX: queuePrefix,
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: resend.url,
    CANDOR_RESEND_RPS: String(providerRps ?? 1000),
    CANDOR_NOTICE_HOLD_SECONDS: '0',
    ...(process.env.CANDOR_SEND_CONCURRENCY
      ? { CANDOR_SEND_CONCURRENCY: process.env.CANDOR_SEND_CONCURRENCY }
      : {}),
    LOG_LEVEL: 'error',
  };
  const deps = await createDeps({
    config: loadConfig(env),
    database,
    logger: pino({ level: 'error' }),
    metrics: new Metrics({ defaultMetrics: false }),
  });
  let worker: ChildProcess | undefined;
  try {
    await seed(database.db, recipients);
    // The worker runs as its own process, as in scaled mode, so its RSS is its own.
    // BENCH_WORKER_NODE_FLAGS adds e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` to profile the worker.
    const extra = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    worker = spawn(process.execPath, [...extra, ...WORKER_ARGS], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: database.url,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the worker boot before the clock starts
    const cpuAtStart = await cpuSecondsOf(worker.pid!);
    const ownCpuAtStart = process.cpuUsage();
    const dbCpuAtStart = await cpuSecondsOfCommand('postgres');
    const principal: Principal = {
      type: 'api_key',
      id: 'bench',
      name: 'bench',
      scopes: ['admin'],
      source: 'bench',
    };
    const started = Date.now();
    const result = await ingestEvent(
      deps,
      principal,
      eventBodySchema.parse({
        id: `bench-${started}`,
        type: 'incident.investigating',
        occurred_at: new Date(started).toISOString(),
        incident: {
          ref: 'bench',
          title: 'Errors loading the help desk',
          severity: 'major',
          components: ['helpdesk'],
          regions: ['us'],
        },
        message: 'Some customers in the US see errors loading the help desk. We are investigating.',
      }),
    );
    const ids = (result.body as { communications: { id: string }[] }).communications.map((c) => c.id);
    const deadline = started + Math.max(120_000, (recipients / 100 / (providerRps ?? 50)) * 3_000);
    let fanoutCompletedAt = 0;
    for (;;) {
      const rows = await database.db
        .select({ status: communications.status, fanoutCompletedAt: communications.fanoutCompletedAt })
        .from(communications);
      fanoutCompletedAt = Math.max(0, ...rows.map((r) => r.fanoutCompletedAt?.getTime() ?? 0));
      if (rows.length === ids.length && rows.every((r) => r.status === 'sent')) break;
      if (Date.now() > deadline) throw new Error('send did not finish in time');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (resend.lastAcceptedAt - started) / 1000;
    const workerPeakRssMiB = await peakRssOf(worker.pid!);
    const workerCpuSeconds = (await cpuSecondsOf(worker.pid!)) - cpuAtStart;
    const ownCpu = process.cpuUsage(ownCpuAtStart);
    const dbCpuSeconds = (await cpuSecondsOfCommand('postgres')) - dbCpuAtStart;
    const counts = [...resend.deliveryCountByRecipient().values()];
    const [{ notSent } = { notSent: -1 }] = await database.db
      .select({ notSent: sql<number>`count(*) filter (where ${messages.status} <> 'sent')::int` })
      .from(messages)
      .where(eq(messages.communicationId, ids[0]!));
    return {
      recipients,
      providerRps,
      seconds: Math.round(seconds * 100) / 100,
      emailsPerSecond: Math.round(resend.accepted / seconds),
      // The first batch's 100 e-mails mark the start of the window, so they are not counted in it.
      steadyEmailsPerSecond: Math.round(
        (resend.accepted - 100) / ((resend.lastAcceptedAt - resend.firstAcceptedAt) / 1000),
      ),
      fanoutSeconds: Math.round((fanoutCompletedAt - started) / 10) / 100,
      workerPeakRssMiB,
      workerCpuMsPer1000: Math.round((workerCpuSeconds * 1_000_000) / recipients),
      fakeCpuMsPer1000: Math.round(((ownCpu.user + ownCpu.system) / 1000) * (1000 / recipients)),
      dbCpuMsPer1000: Math.round((dbCpuSeconds * 1_000_000) / recipients),
      rateLimited429: resend.requests.filter((r) => r.status === 429).length,
      lost: recipients - counts.length + notSent,
      duplicated: counts.filter((n) => n > 1).length,
    };
  } finally {
    if (worker) await stopChild(worker);
    // The run's queues go with it (a run used to leave its ~1,000 finished send jobs in Redis).
    await deps.queues.obliterate().catch(() => {});
    await closeDeps(deps).catch(() => {});
    await resend.close();
  }
}

/**
 * `npm run bench -- send`: event to last provider acceptance for a large audience against the loopback
 * Resend fake on PostgreSQL, unthrottled and under a request-rate cap, with the worker's peak RSS.
 */
export async function run(options: SendBenchOptions = {}) {
  const serverUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('bench send needs DATABASE_URL (a PostgreSQL server)');
  await buildWorker();
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const recipients = options.recipients ?? Number(process.env.BENCH_SEND_RECIPIENTS ?? 100_000);
  const loadBefore = loadAverage();
  const unthrottled = await scenario(serverUrl, redisUrl, recipients, null);
  const throttledRps = options.throttledRps ?? 5;
  const throttledRecipients =
    options.throttledRecipients ?? Number(process.env.BENCH_SEND_THROTTLED ?? 10_000);
  // BENCH_SEND_THROTTLED=0 skips the capped run (it takes ~20 s and does not move with send-path changes).
  const throttled =
    throttledRecipients > 0
      ? await scenario(serverUrl, redisUrl, throttledRecipients, throttledRps)
      : undefined;
  // The naive sender runs against a fresh fake with no rate limit, as the unthrottled Candor run did.
  const fake = await new FakeResend({ rps: Number.POSITIVE_INFINITY, keepDeliveries: false }).start();
  const naive = await naiveSend(fake.url, options.naiveRecipients ?? 2_000).finally(() => fake.close());
  const ratio = Math.round((unthrottled.emailsPerSecond / naive.emailsPerSecond) * 10) / 10;
  const ceiling = throttledRps * 100;
  // Share of the ceiling in steady state; the end-to-end figure also pays the one-off fan-out start.
  const share = throttled && Math.round((throttled.steadyEmailsPerSecond / ceiling) * 1000) / 10;
  const shareEndToEnd = throttled && Math.round((throttled.emailsPerSecond / ceiling) * 1000) / 10;
  const table = [
    { run: 'candor unthrottled', ...unthrottled, shareOfCeiling: '-' },
    ...(throttled
      ? [
          {
            run: `candor cap ${throttledRps} req/s`,
            ...throttled,
            shareOfCeiling: `${share}% (end to end ${shareEndToEnd}%)`,
          },
        ]
      : []),
    { run: 'naive: render + 1 request each', ...naive },
  ];
  console.table(table);
  console.log(
    `candor ÷ naive: ${ratio}× (target ≥ 20×); ${
      throttled
        ? `throttled: ${share}% of ${ceiling} e-mails/s in steady state, ${shareEndToEnd}% end to end (target ≥ 95%)`
        : 'throttled run skipped'
    }`,
  );
  const file = await writeResult('send', {
    load: { before: loadBefore, after: loadAverage() },
    unthrottled,
    throttled: throttled && {
      ...throttled,
      ceiling,
      shareOfCeiling: share,
      shareOfCeilingEndToEnd: shareEndToEnd,
    },
    naive,
    ratioOverNaive: ratio,
  });
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  return table;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
