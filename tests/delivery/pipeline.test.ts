import { inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { communications, outboxMessages } from '../../src/db/schema.js';
import { type RunningWorkers, startWorkers } from '../../src/delivery/workers.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { FakeResend } from '../support/fake-resend.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from '../support/fixtures.js';
import { waitForWorkers } from '../support/workers.js';

interface Harness {
  deps: TestDeps;
  app: FastifyInstance;
  workers: RunningWorkers;
  affectedEmails: string[];
}

async function startHarness(
  driver: (typeof drivers)[number],
  env: Record<string, string> = {},
): Promise<Harness> {
  const deps = await createTestDeps(driver, { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, ...env } });
  const app = await buildApp(deps);
  const workers = startWorkers(deps, { queueNamePrefix: deps.queueNamePrefix });
  const { affectedEmails } = await seedAudience(app);
  return { deps, app, workers, affectedEmails };
}

async function stopHarness(h: Harness | undefined) {
  if (!h) return;
  await h.workers.close();
  await h.app.close();
  await h.deps.close();
}

async function postEventAndWaitUntilSent(h: Harness, event = incidentEvent()) {
  const response = await h.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: event });
  expect(response.statusCode).toBe(202);
  const communicationIds = response.json().communications.map((c: { id: string }) => c.id) as string[];
  expect(communicationIds.length).toBeGreaterThan(0);
  await waitForWorkers([h.workers.fanout, h.workers.send], async () => {
    const rows = await h.deps.database.db
      .select()
      .from(communications)
      .where(inArray(communications.id, communicationIds));
    return rows.length === communicationIds.length && rows.every((row) => row.status === 'sent');
  });
  return { response, communicationIds };
}

describe.each(drivers)('event to e-mail through the outbox (%s)', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(driver);
  });
  afterAll(() => stopHarness(h));

  it('mails exactly the affected contacts, one communication per segment, each a complete MIME message', async () => {
    const { response, communicationIds } = await postEventAndWaitUntilSent(h);
    expect(response.json().communications).toMatchObject([
      { segment: 'affected-enterprise', kind: 'notice', recipients: 2 },
      { segment: 'affected', kind: 'notice', recipients: 1 },
    ]);
    const [enterprise] = communicationIds as [string, string];

    const stored = await h.deps.database.db.select().from(outboxMessages);
    expect(stored.map((m) => m.to).sort()).toEqual(h.affectedEmails);

    const parsed = await Promise.all(stored.map((m) => PostalMime.parse(m.mime)));
    const replyAddresses = new Set<string>();
    for (const mail of parsed) {
      expect(mail.from?.address).toBe('status@acme.example');
      expect(mail.from?.name).toBe('Acme Status');
      expect(mail.subject).toContain('Errors loading the help desk');
      expect(mail.date).toBeTruthy();
      expect(mail.messageId).toMatch(/^<msg_[0-9a-z]+@acme\.example>$/);
      const replyTo = mail.replyTo?.[0];
      expect(replyTo?.name).toBe('Acme Status');
      expect(replyTo?.address).toMatch(/^reply\+[a-z2-7]{32}@replies\.acme\.example$/);
      replyAddresses.add(replyTo!.address!);
      expect(mail.text).toContain('Some customers in the US see errors.');
      expect(mail.html).toContain('Some customers in the US see errors.');
      const oneClick = mail.headers.find((hd) => hd.key === 'list-unsubscribe-post')?.value;
      expect(oneClick).toBe('List-Unsubscribe=One-Click');
    }
    expect(replyAddresses.size).toBe(3);
    const globex = parsed.find((m) => m.to?.[0]?.address === 'it@globex.example');
    expect(globex?.html).toContain('Globex &lt;Labs&gt; &amp; &quot;Co&quot;');
    expect(globex?.text).toContain('Globex <Labs> & "Co"');
    // The enterprise variant speaks to the SLA; the concise one does not.
    const northwind = parsed.find((m) => m.to?.[0]?.address === 'ops@northwind.example');
    expect(northwind?.text).toMatch(/service agreement/i);
    expect(globex?.text).not.toMatch(/service agreement/i);

    const detail = await h.app.inject({
      method: 'GET',
      url: `/v1/communications/${enterprise}`,
      headers: auth,
    });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      status: 'sent',
      recipients: 2,
      counts: { sent: 2, queued: 0, failed: 0 },
    });

    const list = await h.app.inject({
      method: 'GET',
      url: `/v1/messages?communication_id=${enterprise}&limit=1`,
      headers: auth,
    });
    expect(list.json().data).toHaveLength(1);
    expect(list.json().data[0].status).toBe('sent');
    const rest = await h.app.inject({
      method: 'GET',
      url: `/v1/messages?communication_id=${enterprise}&cursor=${list.json().next_cursor}`,
      headers: auth,
    });
    expect(rest.json()).toMatchObject({ next_cursor: null });
    expect(rest.json().data).toHaveLength(1);
  });
});

describe.each(drivers)('event to e-mail through Resend (%s)', (driver) => {
  let h: Harness;
  let resend: FakeResend;
  beforeAll(async () => {
    resend = await new FakeResend({ rps: 2 }).start();
    h = await startHarness(driver, {
      RESEND_API_KEY: 're_test_key',
      RESEND_BASE_URL: resend.url,
      CANDOR_RESEND_RPS: '2',
    });
  });
  afterAll(async () => {
    await stopHarness(h);
    await resend.close();
  });

  const batchStatuses = () =>
    resend.requests
      .filter((r) => r.path === '/emails/batch')
      .map((r) => r.status)
      .sort();

  it('sends one batch per communication with an idempotency key, reply addresses and tags', async () => {
    expect(h.deps.transport.name).toBe('resend');
    const { communicationIds } = await postEventAndWaitUntilSent(h);
    const counts = [...resend.deliveryCountByRecipient().entries()].sort();
    expect(counts).toEqual(h.affectedEmails.map((e) => [e, 1]));
    const keys = [...new Set(resend.deliveries.map((d) => d.idempotencyKey))];
    expect(keys.map((k) => k?.replace(/-msg_.*/, '')).sort()).toEqual(
      communicationIds.map((id) => `send-${id}`).sort(),
    );
    for (const delivery of resend.deliveries) {
      expect(communicationIds).toContain(delivery.tags.find((t) => t.name === 'communication')?.value);
      expect(delivery.headers['List-Unsubscribe']).toMatch(/^<http:\/\/localhost:3000\/u\/con_/);
      expect(String(delivery.reply_to)).toMatch(/^"Acme Status" <reply\+[a-z2-7]+@replies\.acme\.example>$/);
    }
    const messages = await h.app.inject({ method: 'GET', url: '/v1/messages', headers: auth });
    const providerIds = messages
      .json()
      .data.map((m: { provider_id: string }) => m.provider_id)
      .sort();
    expect(providerIds).toEqual(resend.deliveries.map((d) => d.id).sort());
  });

  it('retries a batch whose answer was lost without sending anything twice', async () => {
    resend.reset();
    resend.dropNextAnswers(1);
    await postEventAndWaitUntilSent(h, incidentEvent({ incident: { ref: 'dropped-answer' } }));
    expect(batchStatuses()).toEqual([200, 200, null]);
    expect([...resend.deliveryCountByRecipient().values()]).toEqual([1, 1, 1]);
  });

  it('waits out a 500 and still delivers once', async () => {
    resend.reset();
    resend.failNext(1, 500);
    await postEventAndWaitUntilSent(h, incidentEvent({ incident: { ref: 'server-error' } }));
    expect(batchStatuses()).toEqual([200, 200, 500]);
    expect([...resend.deliveryCountByRecipient().values()]).toEqual([1, 1, 1]);
  });
});
