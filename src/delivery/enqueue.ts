import { and, eq, isNull } from 'drizzle-orm';
import { inTextArray } from '../db/arrays.js';
import { communications } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { jobIds } from './queues.js';

/** Options of {@link enqueueDueFanouts}. */
export interface EnqueueFanoutOptions {
  /**
   * The communications were created by the caller's own request, so no finished job can hold their ids
   * and the live-job check (two Redis round trips each) is skipped: all jobs go in one `addBulk`. A job
   * the sweeper added meanwhile is live, and BullMQ ignores an add under a live job's id.
   */
  fresh?: boolean;
}

/**
 * Adds the fan-out job of each scheduled communication, delayed until its hold window ends, and notes
 * that it did. The job id is deterministic, so calling this again for the same communication (the
 * sweeper does after a Redis outage) never creates a second fan-out while the first is still live.
 * Resolves with the number of jobs actually added.
 */
export async function enqueueDueFanouts(
  deps: Pick<AppDeps, 'database' | 'queues'>,
  communicationIds: string[],
  options: EnqueueFanoutOptions = {},
): Promise<number> {
  if (communicationIds.length === 0) return 0;
  const { db } = deps.database;
  const rows = await db
    .select({ id: communications.id, sendAt: communications.sendAt })
    .from(communications)
    .where(and(inTextArray(communications.id, communicationIds), eq(communications.status, 'scheduled')));
  if (rows.length === 0) return 0;
  const now = Date.now();
  const delayOf = (row: (typeof rows)[number]) => Math.max(0, (row.sendAt?.getTime() ?? now) - now);
  let added = 0;
  if (options.fresh) {
    await deps.queues.addBulk(
      'fanout',
      rows.map((row) => ({
        payload: { communicationId: row.id },
        jobId: jobIds.fanout(row.id),
        options: { delay: delayOf(row) },
      })),
    );
    added = rows.length;
  } else {
    for (const row of rows) {
      const jobId = jobIds.fanout(row.id);
      if (
        await deps.queues.addUnlessLive('fanout', { communicationId: row.id }, jobId, { delay: delayOf(row) })
      )
        added++;
    }
  }
  await db
    .update(communications)
    .set({ fanoutEnqueuedAt: new Date() })
    .where(
      and(
        inTextArray(
          communications.id,
          rows.map((row) => row.id),
        ),
        isNull(communications.fanoutEnqueuedAt),
      ),
    );
  return added;
}
