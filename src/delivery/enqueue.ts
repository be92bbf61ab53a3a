import { and, eq, inArray, isNull } from 'drizzle-orm';
import { communications } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { jobIds } from './queues.js';

/**
 * Adds the fan-out job of each scheduled communication, delayed until its hold window ends, and notes
 * that it did. The job id is deterministic, so calling this again for the same communication (the
 * sweeper does after a Redis outage) never creates a second fan-out while the first is known.
 */
export async function enqueueDueFanouts(
  deps: Pick<AppDeps, 'database' | 'queues'>,
  communicationIds: string[],
) {
  if (communicationIds.length === 0) return;
  const { db } = deps.database;
  const rows = await db
    .select({ id: communications.id, sendAt: communications.sendAt })
    .from(communications)
    .where(and(inArray(communications.id, communicationIds), eq(communications.status, 'scheduled')));
  const now = Date.now();
  for (const row of rows) {
    const delay = Math.max(0, (row.sendAt?.getTime() ?? now) - now);
    const jobId = jobIds.fanout(row.id);
    const existing = await deps.queues.byName.fanout.getJob(jobId);
    if (existing && (await existing.isFailed())) await existing.retry('failed');
    else if (!existing || (await existing.isCompleted())) {
      if (existing) await existing.remove();
      await deps.queues.add('fanout', { communicationId: row.id }, jobId, { delay });
    }
    await db
      .update(communications)
      .set({ fanoutEnqueuedAt: new Date() })
      .where(and(eq(communications.id, row.id), isNull(communications.fanoutEnqueuedAt)));
  }
}
