import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communications, messages, outboxMessages, sendBatches } from '../../src/db/schema.js';
import { queuedBatches, runFanout } from '../../src/delivery/fanout.js';
import { runSend } from '../../src/delivery/send.js';
import { sweep } from '../../src/delivery/sweeper.js';
import {
  PermanentTransportError,
  TransientTransportError,
  type Transport,
} from '../../src/delivery/transports/transport.js';
import { startWorkers } from '../../src/delivery/workers.js';
import { postNotice, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { waitForWorkers } from '../support/workers.js';

describe.each(drivers)('the sweeper recovers work Redis lost (%s)', (driver) => {
  const t = useTestApp(driver, { seedAudience: true });

  async function sendEverything(communicationId: string, transport: Transport = t.deps.transport) {
    const workers = startWorkers({ ...t.deps, transport }, { queueNamePrefix: t.deps.queueNamePrefix });
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

  it('queues the batches it wrote, and a fan-out run again finds them and queues the same', async () => {
    const communicationId = await postNotice(t.app, 'fanned out twice');
    const jobsNow = async () =>
      (await t.deps.queues.byName.send.getJobs(['waiting', 'prioritized'])).map((job) => ({
        batchKey: job.id,
        messageIds: job.data.messageIds,
      }));
    const first = await runFanout(t.deps, communicationId);
    const queued = await jobsNow();
    // What the fan-out computed from the rows it wrote is what the database holds.
    expect(queued).toEqual(await queuedBatches(t.deps.database.db, communicationId));
    expect(queued).toHaveLength(1);

    await t.deps.queues.obliterate(); // the fan-out job is retried after Redis lost its send jobs
    expect(await runFanout(t.deps, communicationId)).toEqual(first);
    expect(await jobsNow()).toEqual(queued);
    const rows = await t.deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.communicationId, communicationId));
    expect(rows).toHaveLength(2);
    await sendEverything(communicationId);
  });

  it('re-enqueues an attempted batch whose job vanished under its own key', async () => {
    const communicationId = await postNotice(t.app, 'stuck');
    await runFanout(t.deps, communicationId);
    await t.deps.queues.obliterate();
    const [batch] = await queuedBatches(t.deps.database.db, communicationId);
    // A worker froze the batch and tried the provider, which did not answer; then Redis was flushed.
    const silent = {
      ...t.deps.transport,
      sendBatch: async () => {
        throw new TransientTransportError('no answer');
      },
    };
    await expect(runSend({ ...t.deps, transport: silent }, { communicationId, ...batch! })).rejects.toThrow(
      'no answer',
    );
    expect((await sweep(t.deps, { graceMs: 0, stuckSendingMs: 60_000 })).batchesRequeued).toBe(0); // not stuck yet
    await t.deps.database.db
      .update(sendBatches)
      .set({ firstAttemptAt: new Date(Date.now() - 3_600_000) })
      .where(eq(sendBatches.key, batch!.batchKey));

    const report = await sweep(t.deps, { graceMs: 0, stuckSendingMs: 60_000 });
    expect(report).toMatchObject({ batchesRequeued: 1, sendJobsEnqueued: 0 });
    const job = await t.deps.queues.byName.send.getJob(batch!.batchKey);
    expect(job?.data.messageIds).toEqual(batch!.messageIds);

    await sendEverything(communicationId);
    const sent = await t.deps.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.communicationId, communicationId), eq(messages.status, 'sent')));
    expect(sent).toHaveLength(2);
    expect(sent.every((m) => m.attempts === 2 && m.sendBatchKey === batch!.batchKey)).toBe(true);
    const mailed = await t.deps.database.db
      .select({ to: outboxMessages.to })
      .from(outboxMessages)
      .where(inArray(outboxMessages.messageId, batch!.messageIds));
    expect(mailed).toHaveLength(2);
  });

  it('ends a send whose batch the provider refused for good, without waiting for the sweeper', async () => {
    const communicationId = await postNotice(t.app, 'refused');
    const refusing = {
      ...t.deps.transport,
      sendBatch: async () => {
        throw new PermanentTransportError('invalid from address');
      },
    };
    await sendEverything(communicationId, refusing);
    const rows = await t.deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.communicationId, communicationId));
    expect(rows.map((m) => [m.status, m.error])).toEqual([
      ['failed', 'invalid from address'],
      ['failed', 'invalid from address'],
    ]);
    const batches = await t.deps.database.db
      .select()
      .from(sendBatches)
      .where(eq(sendBatches.communicationId, communicationId));
    expect(batches.map((b) => b.completedAt !== null)).toEqual([true]);
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
