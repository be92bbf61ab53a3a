import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { incidents } from '../db/schema.js';
import { canOpen, type EventType, isFinished } from './lifecycle.js';

type Tx = Pick<Db, 'select' | 'update' | 'execute'>;
type IncidentRow = typeof incidents.$inferSelect;

/**
 * Serialises events of one series (e.g. one monitor) across connections, so two concurrent "down" alerts
 * cannot both decide that no incident is open and create two. Released at commit.
 */
export async function lockSeries(tx: Tx, source: string, seriesKey: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify([source, seriesKey])}, 0))`,
  );
}

async function latestInSeries(tx: Tx, source: string, seriesKey: string, exceptId?: string) {
  const [row] = await tx
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.source, source),
        eq(incidents.seriesKey, seriesKey),
        exceptId ? ne(incidents.id, exceptId) : undefined,
      ),
    )
    .orderBy(desc(incidents.id))
    .limit(1);
  return row;
}

/**
 * The ref of the incident an event without its own ref belongs to: the series' open incident, or — when
 * the last one is over and the event opens something — a new incident, so each outage is its own incident.
 * The new ref derives from the event id, which makes a replay land on the same incident.
 */
export async function refForSeries(
  tx: Tx,
  source: string,
  seriesKey: string,
  event: { id: string; type: EventType },
): Promise<string> {
  const latest = await latestInSeries(tx, source, seriesKey);
  if (latest && (!isFinished(latest.status) || !canOpen(event.type))) return latest.ref;
  return `${seriesKey}:${event.id}`;
}

/**
 * Places a just-created incident in its series: it continues the previous incident's series when it starts
 * within `flapWindowMinutes` of that one's resolution (or while that one is still open), else it starts a
 * series of its own at position 1.
 */
export async function linkIntoSeries(
  tx: Tx,
  incident: IncidentRow,
  flapWindowMinutes: number,
): Promise<IncidentRow> {
  if (!incident.seriesKey) return incident;
  const previous = await latestInSeries(tx, incident.source, incident.seriesKey, incident.id);
  const gapMs = previous?.resolvedAt ? incident.startedAt.getTime() - previous.resolvedAt.getTime() : 0;
  const continues = previous !== undefined && gapMs <= flapWindowMinutes * 60_000;
  const seriesId = continues ? (previous.seriesId ?? previous.id) : incident.id;
  const seriesPosition = continues ? (previous.seriesPosition ?? 1) + 1 : 1;
  const [updated] = await tx
    .update(incidents)
    .set({ seriesId, seriesPosition })
    .where(eq(incidents.id, incident.id))
    .returning();
  return updated ?? incident;
}

/** English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "3rd disruption today" when on the same UTC day as the series' first, else "3rd disruption in a row". */
export function seriesLabel(position: number, startedAt: Date, firstStartedAt: Date): string {
  const sameDay = startedAt.toISOString().slice(0, 10) === firstStartedAt.toISOString().slice(0, 10);
  return `${ordinal(position)} disruption ${sameDay ? 'today' : 'in a row'}`;
}

/** Start time of each series' first incident, for labels. */
export async function seriesStarts(db: Db, seriesIds: string[]): Promise<Map<string, Date>> {
  const starts = new Map<string, Date>();
  if (seriesIds.length === 0) return starts;
  const rows = await db
    .select({ id: incidents.id, startedAt: incidents.startedAt })
    .from(incidents)
    .where(inArray(incidents.id, [...new Set(seriesIds)]));
  for (const row of rows) starts.set(row.id, row.startedAt);
  return starts;
}
