import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { communications, incidentEvents } from '../../src/db/schema.js';
import { jobIds } from '../../src/delivery/queues.js';
import { sweep } from '../../src/delivery/sweeper.js';
import { ensureLocalRedis, type LocalRedis } from '../../src/redis/local-server.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from '../support/fixtures.js';
import { freePort } from '../support/net.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe('an event accepted while Redis is down', () => {
  let dir: string;
  let redisUrl: string;
  let redis: LocalRedis | null;
  let deps: TestDeps;
  let app: FastifyInstance;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'candor-redis-down-'));
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
    redis = await ensureLocalRedis(redisUrl, dir, logger, { anyLoopbackPort: true });
    deps = await createTestDeps('pglite', {
      env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, REDIS_URL: redisUrl },
    });
    app = await buildApp(deps);
    await seedAudience(app);
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is stored and answered 202, and the sweeper enqueues its fan-out once Redis is back', async () => {
    await redis?.stop();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: incidentEvent(),
    });
    expect(response.statusCode).toBe(202);
    const communicationId = response.json().communications[0].id as string;
    const [stored] = await deps.database.db.select().from(incidentEvents);
    expect(stored?.incidentId).toBe(response.json().incident_id);
    const [planned] = await deps.database.db
      .select()
      .from(communications)
      .where(eq(communications.id, communicationId));
    expect(planned?.fanoutEnqueuedAt).toBeNull();

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { database: 'ok', redis: 'down' } });

    redis = await ensureLocalRedis(redisUrl, dir, logger, { anyLoopbackPort: true });
    await new Promise<void>((resolve) =>
      deps.redis.status === 'ready' ? resolve() : deps.redis.once('ready', resolve),
    );
    const report = await sweep(deps);
    expect(report.fanoutsEnqueued).toBe(2);
    const job = await deps.queues.byName.fanout.getJob(jobIds.fanout(communicationId));
    expect(job?.data).toEqual({ communicationId });
    // A second sweep finds the job live and adds nothing.
    expect((await sweep(deps)).fanoutsEnqueued).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe.runIf(process.env.DATABASE_URL)('a request while PostgreSQL is down', () => {
  it('answers 503 in the contract shape, and works again when it is back', async () => {
    const server = new URL(process.env.DATABASE_URL!);
    const proxy = await new TcpProxy(server.hostname, Number(server.port || 5432)).start();
    const base = await createTestDeps('postgres', { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
    const viaProxy = new URL(base.database.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const database = await openDatabase({
      databaseUrl: viaProxy.toString(),
      maxConnections: 2,
      migrate: false,
    });
    const deps = { ...base, database: { ...database, url: viaProxy.toString() } };
    const app = await buildApp(deps);
    try {
      await proxy.stop();
      const response = await app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: auth,
        payload: incidentEvent(),
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('unavailable');
      expect(JSON.stringify(response.json())).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      expect((await app.inject({ method: 'GET', url: '/readyz' })).json().checks.database).toBe('down');

      await proxy.start(proxy.port);
      const again = await app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: auth,
        payload: incidentEvent(),
      });
      expect(again.statusCode).toBe(202);
    } finally {
      await app.close();
      await database.close();
      await proxy.stop();
      await base.close();
    }
  });
});
