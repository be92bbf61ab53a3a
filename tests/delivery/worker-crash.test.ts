import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWorker } from '../../scripts/build-worker.js';
import { buildApp } from '../../src/app.js';
import { communications, messages } from '../../src/db/schema.js';
import { postNotice } from '../support/app.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { FakeResend } from '../support/fake-resend.js';
import { BOOTSTRAP_KEY, seedAudience } from '../support/fixtures.js';

/**
 * A worker process is SIGKILLed before, during and after its provider call; a second worker takes the
 * job over once the lock lapses. Whatever the moment, the provider must see every recipient once.
 * Needs PostgreSQL: an embedded PGlite database cannot be shared with another process.
 */
describe.runIf(process.env.DATABASE_URL)('a worker killed around the provider call', () => {
  let deps: TestDeps;
  let app: FastifyInstance;
  let resend: FakeResend;
  const queuePrefix = `{t${randomBytes(4).toString('hex')}}`;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    resend = await new FakeResend({ rps: Number.POSITIVE_INFINITY }).start();
    deps = await createTestDeps('postgres', {
      env: {
        CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
        CANDOR_QUEUE_PREFIX: queuePrefix,
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: resend.url,
      },
      queueNamePrefix: false,
    });
    app = await buildApp(deps);
    await seedAudience(app);
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
    await resend.close();
  });

  /** `args` default to the TypeScript source; the production bundle is tested on its own below. */
  function startWorker(args = ['--import', 'tsx', 'src/worker.ts']): ChildProcess {
    // node directly: through the tsx wrapper a SIGKILL would kill only the wrapper and orphan the worker.
    const child = spawn(process.execPath, args, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: deps.database.url!,
        REDIS_URL: inject('redisUrl'),
        CANDOR_QUEUE_PREFIX: queuePrefix,
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: resend.url,
        CANDOR_RESEND_RPS: '50',
        CANDOR_JOB_LOCK_SECONDS: '2',
        CANDOR_SWEEP_INTERVAL_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  async function kill(child: ChildProcess) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Cross-process, so no worker events to await: a bounded check of the database. */
  async function untilSent(communicationId: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [row] = await deps.database.db
        .select()
        .from(communications)
        .where(eq(communications.id, communicationId));
      if (row?.status === 'sent') return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`communication ${communicationId} was not sent within ${timeoutMs} ms`);
  }

  async function expectExactlyOnce(communicationId: string) {
    const rows = await deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.communicationId, communicationId));
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    const delivered = resend.deliveries.filter((d) =>
      d.tags.some((t) => t.name === 'communication' && t.value === communicationId),
    );
    expect(delivered.map((d) => d.to[0]).sort()).toEqual(['cto@northwind.example', 'ops@northwind.example']);
  }

  it('before the call: the held request dies with the worker and is sent once by the next', async () => {
    const arrived = resend.holdRequests();
    const first = startWorker();
    const communicationId = await postNotice(app, 'kill-before');
    await arrived;
    await kill(first);
    resend.release();
    startWorker();
    await untilSent(communicationId);
    await expectExactlyOnce(communicationId);
  }, 60_000);

  it('during the call: the provider accepted but the answer never reached anyone', async () => {
    resend.delay(1_500);
    const first = startWorker();
    const communicationId = await postNotice(app, 'kill-during');
    const requestsBefore = resend.requests.length;
    while (resend.requests.length === requestsBefore) await new Promise((r) => setTimeout(r, 20));
    await kill(first);
    resend.delay(0);
    startWorker();
    await untilSent(communicationId);
    await expectExactlyOnce(communicationId);
  }, 60_000);

  it('after the call: answered, then killed before or while recording it', async () => {
    let first: ChildProcess | undefined;
    resend.onAnswered = () => {
      resend.onAnswered = undefined;
      first?.kill('SIGKILL');
    };
    first = startWorker();
    const communicationId = await postNotice(app, 'kill-after');
    await new Promise((resolve) => first?.once('exit', resolve));
    startWorker();
    await untilSent(communicationId);
    await expectExactlyOnce(communicationId);
  }, 60_000);

  it('the bundle npm run start:worker runs (flags and all) migrates, sends and exits on SIGTERM', async () => {
    await buildWorker();
    const script = (JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts['start:worker']!;
    expect(script).toMatch(/^node .*dist\/worker\/worker\.js$/);
    const worker = startWorker(script.split(' ').slice(1));
    const communicationId = await postNotice(app, 'bundled-worker');
    await untilSent(communicationId);
    await expectExactlyOnce(communicationId);
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
