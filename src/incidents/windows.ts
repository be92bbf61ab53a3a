import { asc, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { insertFromJson } from '../db/json-insert.js';
import { incidentWindows } from '../db/schema.js';
import { isDisrupting } from './lifecycle.js';

export interface IncidentWindow {
  startedAt: Date;
  endedAt: Date | null;
}

/**
 * Keeps the open/closed periods of an incident in step with a status change: entering a disrupting status
 * opens a window at `at`, leaving it closes the open one. A reopened incident thus gets a second window,
 * and its duration leaves out the time it was resolved. Returns the statement (none when the change
 * neither opens nor closes), for the caller to run with its other writes (`executeWrites`); with
 * `onlyIf`, it writes nothing unless that holds.
 */
export function windowWrites(
  incidentId: string,
  change: { from: string; to: string; at: Date },
  onlyIf?: SQL,
): SQL[] {
  const was = isDisrupting(change.from);
  const is = isDisrupting(change.to);
  if (!was && is) {
    return [
      insertFromJson(
        incidentWindows,
        [{ id: newId('win', change.at.getTime()), incidentId, startedAt: change.at }],
        onlyIf,
      ),
    ];
  }
  if (was && !is) {
    // Sources may report times out of order; a window never ends before it began.
    return [
      sql`update ${incidentWindows} set ended_at = greatest(started_at, ${change.at.toISOString()}::timestamptz)
        where incident_id = ${incidentId} and ended_at is null${onlyIf ? sql` and ${onlyIf}` : sql``}`,
    ];
  }
  return [];
}

/** Windows of each incident, oldest first. */
export async function windowsOf(db: Db, incidentIds: string[]): Promise<Map<string, IncidentWindow[]>> {
  const byIncident = new Map<string, IncidentWindow[]>();
  if (incidentIds.length === 0) return byIncident;
  const rows = await db
    .select()
    .from(incidentWindows)
    .where(inArray(incidentWindows.incidentId, incidentIds))
    .orderBy(asc(incidentWindows.startedAt), asc(incidentWindows.id));
  for (const row of rows) {
    const list = byIncident.get(row.incidentId) ?? [];
    list.push({ startedAt: row.startedAt, endedAt: row.endedAt });
    byIncident.set(row.incidentId, list);
  }
  return byIncident;
}

/** Whole seconds the incident was open; an open window counts up to `now`. */
export function durationSeconds(windows: IncidentWindow[], now: Date): number {
  let ms = 0;
  for (const w of windows) ms += Math.max(0, (w.endedAt ?? now).getTime() - w.startedAt.getTime());
  return Math.floor(ms / 1000);
}
