import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { expect, inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { communications, incidentEvents, messages } from '../../src/db/schema.js';
import type { Transport } from '../../src/delivery/transports/transport.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { FakeResend } from '../support/fake-resend.js';
import { auth, BOOTSTRAP_KEY, incidentEvent } from '../support/fixtures.js';

/** Recipients per scenario: three provider batches, so "mid-send" has a before and an after. */
export const AUDIENCE = 250;

export interface Stack {
  deps: TestDeps;
  app: FastifyInstance;
  resend: FakeResend;
  queuePrefix: string;
  /** Environment of a worker child process that shares this stack's database, Redis and fake. */
  workerEnv(overrides?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/**
 * One fault scenario's world: a fresh PostgreSQL database (or PGlite for in-process scenarios), queues
 * under their own prefix, a loopback Resend fake and `AUDIENCE` affected contacts, one per customer.
 */
export async function startStack(
  options: {
    driver?: 'pglite' | 'postgres';
    redisUrl?: string;
    transport?: (fake: FakeResend) => Transport;
  } = {},
): Promise<Stack> {
  const resend = await new FakeResend({ rps: Number.POSITIVE_INFINITY }).start();
  const queuePrefix = `{f${randomBytes(4).toString('hex')}}`;
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const env = {
    CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
    CANDOR_QUEUE_PREFIX: queuePrefix,
    REDIS_URL: redisUrl,
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: resend.url,
    CANDOR_RESEND_RPS: '50',
    CANDOR_JOB_LOCK_SECONDS: '2',
  };
  const deps = await createTestDeps(options.driver ?? 'postgres', {
    env,
    queueNamePrefix: false,
    transport: options.transport?.(resend),
  });
  await deps.database.db.execute(sql`
    insert into customers (id, ref, name, tier, regions, components)
    select 'cus_' || lpad(i::text, 6, '0'), 'c' || i, 'Customer ' || i, 'pro', array['us'], array['helpdesk']
    from generate_series(1, ${AUDIENCE}::int) as i`);
  await deps.database.db.execute(sql`
    insert into contacts (id, customer_id, email, name)
    select 'con_' || lpad(i::text, 6, '0'), 'cus_' || lpad(i::text, 6, '0'), 'user@c' || i || '.example', 'User ' || i
    from generate_series(1, ${AUDIENCE}::int) as i`);
  const app = await buildApp(deps);
  return {
    deps,
    app,
    resend,
    queuePrefix,
    workerEnv: (overrides = {}) => ({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: deps.database.url ?? '',
      ...env,
      CANDOR_SWEEP_INTERVAL_SECONDS: '1',
      // Work Redis lost comes back after this grace; the default 30 s would only make the tests wait.
      CANDOR_SWEEP_GRACE_SECONDS: '2',
      LOG_LEVEL: 'fatal',
      ...overrides,
    }),
    close: async () => {
      await app.close();
      await deps.close();
      await resend.close();
    },
  };
}

/** Worker (or API) child processes of one test file; `killAll` runs in `afterEach`. */
export class Children {
  private readonly running = new Set<ChildProcess>();

  spawn(entry: 'src/worker.ts' | 'src/api.ts', env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env,
      stdio: 'ignore',
    });
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    return child;
  }

  async kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await Promise.race([exited, sleep(20_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.running].map((child) => this.kill(child)));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it is truthy; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}

/** Posts a notice for a fresh incident; returns its event id and the one communication it plans. */
export async function postNotice(stack: Stack, ref: string) {
  const event = incidentEvent({ incident: { ref, components: ['helpdesk'] } });
  const response = await stack.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: event,
  });
  expect(response.statusCode).toBe(202);
  const planned = response.json().communications as { id: string }[];
  expect(planned).toHaveLength(1);
  return { eventId: event.id, communicationId: planned[0]!.id };
}

export async function untilSent(stack: Stack, communicationId: string, timeoutMs = 45_000) {
  await until(
    `communication ${communicationId} sent`,
    async () => {
      const [row] = await stack.deps.database.db
        .select({ status: communications.status })
        .from(communications)
        .where(eq(communications.id, communicationId));
      return row?.status === 'sent';
    },
    timeoutMs,
  );
}

/**
 * The suite's one verdict: the event is stored, every message row is `sent`, and the provider accepted
 * exactly one e-mail for each of the `AUDIENCE` recipients — none lost, none twice.
 */
export async function expectExactlyOnce(stack: Stack, eventId: string, communicationId: string) {
  const { db } = stack.deps.database;
  const stored = await db.select().from(incidentEvents).where(eq(incidentEvents.eventId, eventId));
  expect(stored).toHaveLength(1);
  const rows = await db
    .select({ status: messages.status, email: messages.email })
    .from(messages)
    .where(eq(messages.communicationId, communicationId));
  expect(rows).toHaveLength(AUDIENCE);
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
  const counts = stack.resend.deliveryCountByRecipient();
  const lost = rows.filter((r) => !counts.has(r.email)).length;
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([email, n]) => `${email}×${n}`);
  expect({ lost, duplicated, recipients: counts.size }).toEqual({
    lost: 0,
    duplicated: [],
    recipients: AUDIENCE,
  });
}
