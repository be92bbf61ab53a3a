import type { Worker } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { deliveryEvents, messages, suppressions } from '../../src/db/schema.js';
import { processPendingProviderEvents } from '../../src/delivery/provider-events.js';
import { startProviderEventsWorker } from '../../src/delivery/provider-events-worker.js';
import type { Queues } from '../../src/delivery/queues.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { BOOTSTRAP_KEY, seedAudience } from '../support/fixtures.js';
import { waitForWorkers } from '../support/workers.js';
import { postSigned, resendEvent, sentMessageFor, webhookSecret } from './provider-fixtures.js';

describe.each(drivers)('POST /v1/webhooks/resend (%s)', (driver) => {
  const secret = webhookSecret();
  let deps: TestDeps;
  let app: FastifyInstance;
  let worker: Worker;

  beforeAll(async () => {
    deps = await createTestDeps(driver, {
      env: { RESEND_WEBHOOK_SECRET: secret, CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY },
    });
    app = await buildApp(deps);
    await seedAudience(app);
    worker = startProviderEventsWorker(deps, { queueNamePrefix: deps.queueNamePrefix });
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await deps?.close();
  });

  const messageRow = async (id: string) =>
    (await deps.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;
  const eventsFor = async (providerEventId: string) =>
    deps.database.db.select().from(deliveryEvents).where(eq(deliveryEvents.providerEventId, providerEventId));

  it('verifies, stores and applies a delivered event', async () => {
    const sent = await sentMessageFor(deps.database.db, 'ops@northwind.example');
    const response = await postSigned(app, secret, resendEvent('email.delivered', sent.providerId), {
      id: 'msg_delivered_1',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, duplicate: false });
    const row = await waitForWorkers([worker], async () => {
      const m = await messageRow(sent.messageId);
      return m.status === 'delivered' && m;
    });
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect((await eventsFor('msg_delivered_1'))[0]).toMatchObject({
      messageId: sent.messageId,
      type: 'email.delivered',
    });
    expect(await deps.metrics.registry.getSingleMetricAsString('candor_provider_events_total')).toMatch(
      /candor_provider_events_total\{type="email.delivered"\} 1/,
    );
  });

  it('answers a redelivered svix-id with 200 and does nothing twice', async () => {
    const sent = await sentMessageFor(deps.database.db, 'cto@northwind.example');
    const event = resendEvent('email.complained', sent.providerId);
    const first = await postSigned(app, secret, event, { id: 'msg_replayed' });
    const again = await postSigned(app, secret, event, { id: 'msg_replayed' });
    expect(first.json()).toEqual({ received: true, duplicate: false });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ received: true, duplicate: true });
    expect(await eventsFor('msg_replayed')).toHaveLength(1);
    expect(await deps.metrics.registry.getSingleMetricAsString('candor_provider_events_total')).toMatch(
      /type="email.complained"\} 1\b/,
    );
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    const other = new Webhook(webhookSecret());
    const date = new Date();
    const payload = JSON.stringify(resendEvent('email.delivered', 're_x'));
    const response = await postSigned(app, secret, JSON.parse(payload), {
      id: 'msg_forged',
      date,
      signature: other.sign('msg_forged', date, payload),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_signature');
    expect(await eventsFor('msg_forged')).toHaveLength(0);
  });

  it('refuses a body changed after signing', async () => {
    const date = new Date();
    const signed = JSON.stringify(resendEvent('email.delivered', 're_y'));
    const response = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/resend',
      headers: {
        'content-type': 'application/json',
        'svix-id': 'msg_tampered',
        'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
        'svix-signature': new Webhook(secret).sign('msg_tampered', date, signed),
      },
      // Same JSON value, different bytes: only raw-body verification notices.
      payload: signed.replace('{', '{ '),
    });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a timestamp older than five minutes, even when correctly signed', async () => {
    const response = await postSigned(app, secret, resendEvent('email.delivered', 're_z'), {
      id: 'msg_stale',
      date: new Date(Date.now() - 6 * 60_000),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toMatch(/too old/);
    expect(await eventsFor('msg_stale')).toHaveLength(0);
  });

  it('refuses missing signature headers with 401', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/resend',
      headers: { 'content-type': 'application/json' },
      payload: resendEvent('email.delivered', 're_q'),
    });
    expect(response.statusCode).toBe(401);
  });

  it('answers 503 webhooks_disabled without RESEND_WEBHOOK_SECRET', async () => {
    const off = await buildApp({
      ...deps,
      config: { ...deps.config, resend: { ...deps.config.resend, webhookSecret: undefined } },
    });
    try {
      const response = await postSigned(off, secret, resendEvent('email.delivered', 're_w'));
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('webhooks_disabled');
    } finally {
      await off.close();
    }
  });

  it('suppresses a hard bounce, and the next fan-out page skips that contact', async () => {
    const { segmentContactsPage } = await import('../../src/audience/segment-audience.js');
    const scope = { regions: ['us'], components: ['helpdesk', 'api'] };
    const audience = async () =>
      (await segmentContactsPage(deps.database.db, { scope, segmentKey: 'affected', limit: 100 })).map(
        (c) => c.email,
      );
    expect(await audience()).toContain('it@globex.example');
    const sent = await sentMessageFor(deps.database.db, 'it@globex.example');
    const bounce = { bounce: { type: 'Permanent', subType: 'General', message: 'mailbox does not exist' } };
    expect(
      (await postSigned(app, secret, resendEvent('email.bounced', sent.providerId, bounce))).statusCode,
    ).toBe(200);
    const row = await waitForWorkers([worker], async () => {
      const m = await messageRow(sent.messageId);
      return m.status === 'bounced' && m;
    });
    expect(row.error).toMatch(/Permanent/);
    const [suppression] = await deps.database.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.email, 'it@globex.example'));
    expect(suppression).toMatchObject({ reason: 'bounce', source: 'resend' });
    expect(await audience()).not.toContain('it@globex.example');
  });

  it('keeps the event when Redis is down and lets the sweeper apply it', async () => {
    const sent = await sentMessageFor(deps.database.db, 'bill@initech.example');
    // Enqueueing fails as it does with the producer connection down; everything else is the real queues.
    const brokenQueues: Queues = Object.assign(Object.create(deps.queues), {
      add: async () => {
        throw new Error('Connection is closed.');
      },
    });
    const noRedis = await buildApp({ ...deps, queues: brokenQueues });
    try {
      const response = await postSigned(noRedis, secret, resendEvent('email.delivered', sent.providerId));
      expect(response.statusCode).toBe(200);
      expect((await messageRow(sent.messageId)).status).toBe('sent');
      expect(await processPendingProviderEvents(deps)).toMatchObject({ applied: 1 });
      expect((await messageRow(sent.messageId)).status).toBe('delivered');
      expect(await processPendingProviderEvents(deps)).toMatchObject({ applied: 0 });
    } finally {
      await noRedis.close();
    }
  });
});
