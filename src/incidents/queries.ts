import { and, asc, desc, eq, lt } from 'drizzle-orm';
import { communicationsOfIncident } from '../communications/queries.js';
import type { Db } from '../db/client.js';
import { incidentEvents, incidents } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { seriesLabel, seriesStarts } from './series.js';
import { durationSeconds, windowsOf } from './windows.js';

type IncidentRow = typeof incidents.$inferSelect;

export const incidentJson = (row: IncidentRow) => ({
  id: row.id,
  ref: row.ref,
  source: row.source,
  kind: row.kind,
  title: row.title,
  severity: row.severity,
  status: row.status,
  components: row.components,
  regions: row.regions,
  started_at: row.startedAt.toISOString(),
  resolved_at: row.resolvedAt?.toISOString() ?? null,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
  series_key: row.seriesKey,
});

/** Incident JSON with its windows, duration and series label; two extra queries per page, not per row. */
export async function presentIncidents(db: Db, rows: IncidentRow[], now = new Date()) {
  const windows = await windowsOf(
    db,
    rows.map((r) => r.id),
  );
  const starts = await seriesStarts(
    db,
    rows.flatMap((r) => (r.seriesId ? [r.seriesId] : [])),
  );
  return rows.map((row) => {
    const own = windows.get(row.id) ?? [];
    const firstStart = row.seriesId ? (starts.get(row.seriesId) ?? row.startedAt) : undefined;
    return {
      ...incidentJson(row),
      series:
        row.seriesId && row.seriesPosition && firstStart
          ? {
              id: row.seriesId,
              position: row.seriesPosition,
              label: seriesLabel(row.seriesPosition, row.startedAt, firstStart),
            }
          : null,
      windows: own.map((w) => ({
        started_at: w.startedAt.toISOString(),
        ended_at: w.endedAt?.toISOString() ?? null,
      })),
      duration_seconds: durationSeconds(own, now),
    };
  });
}

/** Newest first; ids are time-sortable so keyset on id is chronological. */
export async function listIncidents(db: Db, query: { limit: number; cursor?: string; status?: string }) {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(incidents)
    .where(
      and(
        query.status ? eq(incidents.status, query.status) : undefined,
        after ? lt(incidents.id, after) : undefined,
      ),
    )
    .orderBy(desc(incidents.id))
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => row);
  return { data: await presentIncidents(db, page.data), next_cursor: page.next_cursor };
}

export async function getIncident(db: Db, id: string) {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw notFound('Incident', id);
  const events = await db
    .select()
    .from(incidentEvents)
    .where(eq(incidentEvents.incidentId, id))
    .orderBy(asc(incidentEvents.occurredAt), asc(incidentEvents.id));
  const [presented] = await presentIncidents(db, [row]);
  return {
    ...presented!,
    timeline: events.map((e) => ({
      id: e.id,
      event_id: e.eventId,
      type: e.type,
      occurred_at: e.occurredAt.toISOString(),
      message: e.message,
      received_at: e.createdAt.toISOString(),
    })),
    communications: await communicationsOfIncident(db, id),
  };
}
