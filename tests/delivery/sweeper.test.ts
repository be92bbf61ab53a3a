import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communications, messages, outboxMessages } from '../../src/db/schema.js';
import { runFanout } from '../../src/delivery/fanout.js';
import { sweep } from '../../src/delivery/sweeper.js';
import { startWorkers } from '../../src/delivery/workers.js';
import { postNotice, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { waitForWorkers } from '../support/workers.js';

describe.each(drivers)('the sweeper recovers work Redis lost (%s)', (driver) => {
  const t = useTestApp(driver, { seedAudience: true });

  async function sendEverything(communicationId: string) {
    const workers = startWorkers(t.deps, { queueNamePrefix: t.deps.queueNamePrefix });
    try {
      await waitForWorkers([workers.fanout, workers.send], async () => {
        const [row] = await t.deps.database.db
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
    const communicationId = await postNotice(t.app, 'flushed');
    const fanout = await runFanout(t.deps, communicationId);
    expect(fanout).toMatchObject({ kind: 'done', messages: 2, sendJobs: 1 });
    await t.deps.queues.obliterate(); // Redis lost everything

    const report = await sweep(t.deps, { graceMs: 0 });
    expect(report.sendJobsEnqueued).toBe(1);
    expect((await sweep(t.deps, { graceMs: 0 })).sendJobsEnqueued).toBe(1); // same deterministic id: no new job
    expect(await t.deps.queues.byName.send.getJobCountByTypes('waiting', 'prioritized')).toBe(1);

    await sendEverything(communicationId);
    const mailed = await t.deps.database.db
      .select({ to: outboxMessages.to })
      .from(outboxMessages)
      .innerJoin(messages, eq(messages.id, outboxMessages.messageId))
      .where(eq(messages.communicationId, communicationId));
    expect(mailed.map((m) => m.to).sort()).toEqual(['cto@northwind.example', 'ops@northwind.example']);
  });

  it('re-enqueues a claimed batch whose job vanished under its own key', async () => {
    const communicationId = await postNotice(t.app, 'stuck');
    await runFanout(t.deps, communicationId);
    await t.deps.queues.obliterate();
    const rows = await t.deps.database.db
      .select({ id: messages.id })
      .from(messages)
      .where(eq(messages.communicationId, communicationId));
    // As if a worker claimed the batch and was killed before answering, and then Redis was flushed.
    await t.deps.database.db
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

    const report = await sweep(t.deps, { graceMs: 0, stuckSendingMs: 60_000 });
    expect(report.batchesRequeued).toBe(1);
    const job = await t.deps.queues.byName.send.getJob('send-crashed-batch');
    expect(job?.data.messageIds.sort()).toEqual(rows.map((r) => r.id).sort());

    await sendEverything(communicationId);
    const sent = await t.deps.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.communicationId, communicationId), eq(messages.status, 'sent')));
    expect(sent).toHaveLength(2);
    expect(sent.every((m) => m.attempts === 1)).toBe(true);
  });

  it('finishes a communication whose last batch completed while its status update was lost', async () => {
    const communicationId = await postNotice(t.app, 'finish');
    await runFanout(t.deps, communicationId);
    await t.deps.database.db
      .update(messages)
      .set({ status: 'sent', sentAt: new Date() })
      .where(eq(messages.communicationId, communicationId));
    await t.deps.queues.obliterate();
    expect((await sweep(t.deps)).communicationsFinished).toBeGreaterThanOrEqual(1);
    const [row] = await t.deps.database.db
      .select()
      .from(communications)
      .where(eq(communications.id, communicationId));
    expect(row?.status).toBe('sent');
  });
});
