import { and, eq, isNull } from 'drizzle-orm';
import { inTextArray } from '../db/arrays.js';
import { communications } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { jobIds } from './queues.js';

/**
 * Adds the fan-out jobs of communications an ingest transaction just planned, which stored them with
 * `fanout_enqueued_at` already set: one `addBulk` and no database round trip on the request's path. No
 * finished job can hold these new ids, and BullMQ ignores an add under a live job's id (the sweeper's),
 * so nothing runs twice. If Redis refuses, the mark is taken back so the sweeper's next pass enqueues them;
 * if even that fails, the sweeper still finds them once they are overdue by its grace.
 */
export async function enqueuePlannedFanouts(
  deps: Pick<AppDeps, 'database' | 'queues' | 'logger'>,
  planned: readonly { id: string; send_at: string | null }[],
): Promise<void> {
  if (planned.length === 0) return;
  const now = Date.now();
  try {
    await deps.queues.addBulk(
      'fanout',
      planned.map((c) => ({
        payload: { communicationId: c.id },
        jobId: jobIds.fanout(c.id),
        options: { delay: c.send_at ? Math.max(0, Date.parse(c.send_at) - now) : 0 },
      })),
    );
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not enqueue fan-out; the sweeper will retry when Redis is back');
    await deps.database.db
      .update(communications)
      .set({ fanoutEnqueuedAt: null })
      .where(
        inTextArray(
          communications.id,
          planned.map((c) => c.id),
        ),
      )
      .catch(() => {});
  }
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
  for (const row of rows) {
    const jobId = jobIds.fanout(row.id);
    if (
      await deps.queues.addUnlessLive('fanout', { communicationId: row.id }, jobId, { delay: delayOf(row) })
    )
      added++;
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
