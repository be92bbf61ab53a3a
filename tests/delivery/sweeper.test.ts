import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { communications, messages, outboxMessages } from '../../src/db/schema.js';
import { runFanout } from '../../src/delivery/fanout.js';
import { sweep } from '../../src/delivery/sweeper.js';
import { startWorkers } from '../../src/delivery/workers.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from '../support/fixtures.js';
import { waitForWorkers } from '../support/workers.js';

describe.each(drivers)('the sweeper recovers work Redis lost (%s)', (driver) => {
  let deps: TestDeps;
  let app: FastifyInstance;
  beforeAll(async () => {
    deps = await createTestDeps(driver, { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
    app = await buildApp(deps);
    await seedAudience(app);
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
  });

  async function plannedCommunication(ref: string): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: incidentEvent({ incident: { ref, components: ['helpdesk'] } }),
    });
    expect(response.statusCode).toBe(202);
    return response.json().communications[0].id;
  }

  async function sendEverything(communicationId: string) {
    const workers = startWorkers(deps, { queueNamePrefix: deps.queueNamePrefix });
    try {
      await waitForWorkers([workers.fanout, workers.send], async () => {
        const [row] = await deps.database.db
          .select()
          .from(communications)
          .where(eq(communications.id, communicationId));
        return row?.status === 'sent';
      });
    } finally {
      await workers.close();
    }
  }

  it('re-enqueues send jobs after a flush and still mails each contact once', async () => {
    const communicationId = await plannedCommunication('flushed');
    const fanout = await runFanout(deps, communicationId);
    expect(fanout).toMatchObject({ kind: 'done', messages: 2, sendJobs: 1 });
    await deps.queues.obliterate(); // Redis lost everything

    const report = await sweep(deps, { graceMs: 0 });
    expect(report.sendJobsEnqueued).toBe(1);
    expect((await sweep(deps, { graceMs: 0 })).sendJobsEnqueued).toBe(1); // same deterministic id: no new job
    expect(await deps.queues.byName.send.getJobCountByTypes('waiting', 'prioritized')).toBe(1);

    await sendEverything(communicationId);
    const mailed = await deps.database.db
      .select({ to: outboxMessages.to })
      .from(outboxMessages)
      .innerJoin(messages, eq(messages.id, outboxMessages.messageId))
      .where(eq(messages.communicationId, communicationId));
    expect(mailed.map((m) => m.to).sort()).toEqual(['cto@northwind.example', 'ops@northwind.example']);
  });

  it('re-enqueues a claimed batch whose job vanished under its own key', async () => {
    const communicationId = await plannedCommunication('stuck');
    await runFanout(deps, communicationId);
    await deps.queues.obliterate();
    const rows = await deps.database.db
      .select({ id: messages.id })
      .from(messages)
      .where(eq(messages.communicationId, communicationId));
    // As if a worker claimed the batch and was killed before answering, and then Redis was flushed.
    await deps.database.db
      .update(messages)
      .set({
        status: 'sending',
        sendBatchKey: 'send-crashed-batch',
        sendingAt: new Date(Date.now() - 3_600_000),
      })
      .where(
        inArray(
          messages.id,
          rows.map((r) => r.id),
        ),
      );

    const report = await sweep(deps, { graceMs: 0, stuckSendingMs: 60_000 });
    expect(report.batchesRequeued).toBe(1);
    const job = await deps.queues.byName.send.getJob('send-crashed-batch');
    expect(job?.data.messageIds.sort()).toEqual(rows.map((r) => r.id).sort());

    await sendEverything(communicationId);
    const sent = await deps.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.communicationId, communicationId), eq(messages.status, 'sent')));
    expect(sent).toHaveLength(2);
    expect(sent.every((m) => m.attempts === 1)).toBe(true);
  });

  it('finishes a communication whose last batch completed while its status update was lost', async () => {
    const communicationId = await plannedCommunication('finish');
    await runFanout(deps, communicationId);
    await deps.database.db
      .update(messages)
      .set({ status: 'sent', sentAt: new Date() })
      .where(eq(messages.communicationId, communicationId));
    await deps.queues.obliterate();
    expect((await sweep(deps)).communicationsFinished).toBeGreaterThanOrEqual(1);
    const [row] = await deps.database.db
      .select()
      .from(communications)
      .where(eq(communications.id, communicationId));
    expect(row?.status).toBe('sent');
  });
});
