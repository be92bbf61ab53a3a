import { eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import {
  communications,
  communicationVersions,
  contacts,
  messages,
  sendBatches,
} from '../../src/db/schema.js';
import { queuedBatches, runFanout } from '../../src/delivery/fanout.js';
import { IDEMPOTENCY_WINDOW_MS, runSend } from '../../src/delivery/send.js';
import { ResendTransport } from '../../src/delivery/transports/resend.js';
import { TransientTransportError } from '../../src/delivery/transports/transport.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { FakeResend } from '../support/fake-resend.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from '../support/fixtures.js';

describe.each(drivers)('a send batch is frozen before its first attempt (%s)', (driver) => {
  let deps: TestDeps;
  let app: FastifyInstance;
  let resend: FakeResend;
  beforeAll(async () => {
    resend = await new FakeResend({ rps: Number.POSITIVE_INFINITY }).start();
    deps = await createTestDeps(driver, {
      env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY },
      // Batches of two here: templates for every body, as a large send's batches would use them.
      transport: new ResendTransport({ apiKey: 're_test_key', baseUrl: resend.url, templateMinEmails: 1 }),
    });
    app = await buildApp(deps);
    await seedAudience(app);
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
    await resend.close();
  });

  /** Plans and fans out a notice to Northwind's two contacts; returns what one send job would get. */
  async function batchFor(ref: string) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: incidentEvent({ incident: { ref, components: ['helpdesk'] } }),
    });
    const communicationId = response.json().communications[0].id as string;
    await runFanout(deps, communicationId);
    await deps.queues.obliterate();
    const batches = await queuedBatches(deps.database.db, communicationId);
    expect(batches).toHaveLength(1);
    return { communicationId, ...batches[0]! };
  }

  it('re-sends the same e-mails under the same key after a failure, whatever changed meanwhile', async () => {
    resend.reset();
    const job = await batchFor('frozen');
    resend.failNext(1, 500);
    await expect(runSend(deps, job)).rejects.toBeInstanceOf(TransientTransportError);
    // Meanwhile staff publish a new version and a contact is renamed: neither may change this batch.
    const [v1] = await deps.database.db
      .select()
      .from(communicationVersions)
      .where(eq(communicationVersions.communicationId, job.communicationId));
    await deps.database.db.insert(communicationVersions).values({
      ...v1!,
      id: `ver_edit_${job.communicationId}`,
      version: 2,
      subject: 'An edit made after the first attempt',
    });
    await deps.database.db
      .update(communications)
      .set({ currentVersion: 2 })
      .where(eq(communications.id, job.communicationId));
    await deps.database.db
      .update(contacts)
      .set({ name: 'Renamed Meanwhile' })
      .where(eq(contacts.email, 'ops@northwind.example'));

    expect(await runSend(deps, job)).toEqual({ kind: 'sent', sent: 2, failed: 0 });
    expect(resend.deliveries).toHaveLength(2);
    expect(resend.deliveries.every((d) => d.subject.includes('Errors loading the help desk'))).toBe(true);
    expect(resend.deliveries.some((d) => d.text?.includes('Renamed Meanwhile'))).toBe(false);
    // The bodies went as a published template plus each recipient's values.
    expect(resend.deliveries.every((d) => d.template?.startsWith('candor-'))).toBe(true);
    expect(new Set(resend.requests.map((r) => r.idempotencyKey))).toEqual(new Set([job.batchKey]));
    const [batch] = await deps.database.db
      .select()
      .from(sendBatches)
      .where(eq(sendBatches.key, job.batchKey));
    expect(batch).toMatchObject({ attempts: 2, messageIds: job.messageIds });
    expect(batch?.completedAt).not.toBeNull();

    // A third run of the finished job finds the batch finished.
    expect(await runSend(deps, job)).toMatchObject({ kind: 'skipped' });
    expect(resend.deliveries).toHaveLength(2);
  });

  it('hands a batch still in doubt after the idempotency window to a person instead of resending', async () => {
    resend.reset();
    const job = await batchFor('in-doubt');
    resend.dropNextAnswers(1);
    await expect(runSend(deps, job)).rejects.toBeInstanceOf(TransientTransportError);
    const requestsBefore = resend.requests.length;

    const later = new Date(Date.now() + IDEMPOTENCY_WINDOW_MS + 60_000);
    expect(await runSend(deps, job, later)).toEqual({ kind: 'needs_review', messages: 2 });
    expect(resend.requests).toHaveLength(requestsBefore);
    const rows = await deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.sendBatchKey, job.batchKey));
    expect(rows.map((r) => r.status)).toEqual(['needs_review', 'needs_review']);
    const detail = await app.inject({
      method: 'GET',
      url: `/v1/communications/${job.communicationId}`,
      headers: auth,
    });
    expect(detail.json()).toMatchObject({ status: 'sent', counts: { needs_review: 2, sent: 0 } });
  });

  it('skips a contact who unsubscribed after the fan-out', async () => {
    resend.reset();
    const job = await batchFor('late-unsubscribe');
    await deps.database.db
      .update(contacts)
      .set({ unsubscribedAt: new Date() })
      .where(eq(contacts.email, 'cto@northwind.example'));
    expect(await runSend(deps, job)).toEqual({ kind: 'sent', sent: 1, failed: 0 });
    expect([...resend.deliveryCountByRecipient().keys()]).toEqual(['ops@northwind.example']);
    const rows = await deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.communicationId, job.communicationId));
    expect(rows.map((r) => [r.email, r.status]).sort()).toEqual([
      ['cto@northwind.example', 'suppressed'],
      ['ops@northwind.example', 'sent'],
    ]);
    await deps.database.db
      .update(contacts)
      .set({ unsubscribedAt: null })
      .where(eq(contacts.email, 'cto@northwind.example'));
  });

  it('ends the send when everyone in its last batch unsubscribed after the fan-out', async () => {
    resend.reset();
    const job = await batchFor('everyone-left');
    const northwind = ['cto@northwind.example', 'ops@northwind.example'];
    await deps.database.db
      .update(contacts)
      .set({ unsubscribedAt: new Date() })
      .where(inArray(contacts.email, northwind));
    try {
      expect(await runSend(deps, job)).toMatchObject({ kind: 'skipped' });
      expect(resend.requests).toHaveLength(0);
      const [communication] = await deps.database.db
        .select({ status: communications.status })
        .from(communications)
        .where(eq(communications.id, job.communicationId));
      expect(communication?.status).toBe('sent');
    } finally {
      await deps.database.db
        .update(contacts)
        .set({ unsubscribedAt: null })
        .where(inArray(contacts.email, northwind));
    }
  });
});
