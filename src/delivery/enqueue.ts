import { and, eq, inArray, isNull } from 'drizzle-orm';
import { communications } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { jobIds } from './queues.js';

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
    .where(and(inArray(communications.id, communicationIds), eq(communications.status, 'scheduled')));
  const now = Date.now();
  let added = 0;
  for (const row of rows) {
    const delay = Math.max(0, (row.sendAt?.getTime() ?? now) - now);
    if (
      await deps.queues.addUnlessLive('fanout', { communicationId: row.id }, jobIds.fanout(row.id), { delay })
    )
      added++;
    await db
      .update(communications)
      .set({ fanoutEnqueuedAt: new Date() })
      .where(and(eq(communications.id, row.id), isNull(communications.fanoutEnqueuedAt)));
  }
  return added;
}
