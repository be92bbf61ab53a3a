import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { inTextArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { customers, incidentEvents, incidents } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { durationSeconds, type IncidentWindow, windowsOf } from '../incidents/windows.js';

type IncidentRow = typeof incidents.$inferSelect;

/** What an apology is written from: the incident, or the whole flapping series it belongs to. */
export interface ApologyFacts {
  title: string;
  /** Disruptions the letter is about: the incidents of the series, or 1. */
  disruptions: number;
  /** Every window of those incidents, oldest first. */
  windows: IncidentWindow[];
  firstStartedAt: Date;
  /** End of the last window; null while one is still open. */
  lastEndedAt: Date | null;
  totalMinutes: number;
  /** The latest update or postmortem text: what has changed since. */
  latestChange: string | null;
}

/** Whole minutes, never 0 for a disruption that happened at all. */
export function minutesOf(seconds: number): number {
  return seconds <= 0 ? 0 : Math.max(1, Math.round(seconds / 60));
}

/** The incident and, when it is part of a flapping series, every other incident of that series. */
async function incidentsInScope(db: Db, incidentId: string): Promise<IncidentRow[]> {
  const [incident] = await db.select().from(incidents).where(eq(incidents.id, incidentId));
  if (!incident) throw notFound('Incident', incidentId);
  if (!incident.seriesId) return [incident];
  return db
    .select()
    .from(incidents)
    .where(eq(incidents.seriesId, incident.seriesId))
    .orderBy(incidents.startedAt, incidents.id);
}

export async function apologyFacts(db: Db, incidentId: string, now = new Date()): Promise<ApologyFacts> {
  const scope = await incidentsInScope(db, incidentId);
  const byIncident = await windowsOf(
    db,
    scope.map((i) => i.id),
  );
  const windows = scope
    .flatMap((i) => byIncident.get(i.id) ?? [])
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const [latest] = await db
    .select({ message: incidentEvents.message })
    .from(incidentEvents)
    .where(
      and(
        inArray(
          incidentEvents.incidentId,
          scope.map((i) => i.id),
        ),
        inArray(incidentEvents.type, ['incident.postmortem', 'incident.update']),
        isNotNull(incidentEvents.message),
      ),
    )
    .orderBy(desc(incidentEvents.occurredAt), desc(incidentEvents.id))
    .limit(1);
  const subject = scope.find((i) => i.id === incidentId) ?? scope[0]!;
  const last = windows.at(-1);
  return {
    title: subject.title,
    disruptions: scope.length,
    windows,
    firstStartedAt: windows[0]?.startedAt ?? scope[0]!.startedAt,
    lastEndedAt: last ? last.endedAt : (subject.resolvedAt ?? null),
    totalMinutes: minutesOf(durationSeconds(windows, now)),
    latestChange: latest?.message?.trim() || null,
  };
}

/** Same rule as the audience's `affectedCustomerWhere`: an incident naming no regions spans them all. */
function touches(
  incident: Pick<IncidentRow, 'regions' | 'components'>,
  customer: Pick<IncidentRow, 'regions' | 'components'>,
) {
  const overlaps = (a: string[], b: string[]) => a.length === 0 || a.some((x) => b.includes(x));
  return overlaps(incident.regions, customer.regions) && overlaps(incident.components, customer.components);
}

/**
 * Minutes each customer was disrupted: the windows of the incident (and of its series) whose regions and
 * components touch that customer's. Windows are incident-wide today, so every affected customer of one
 * incident gets the same number; a series still differs per customer when its incidents hit different
 * places. Customers the incidents never touched get 0. One query per call, not per customer.
 */
export async function minutesAffectedByCustomer(
  db: Db,
  incidentId: string,
  customerIds: readonly string[],
  now = new Date(),
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (customerIds.length === 0) return result;
  const scope = await incidentsInScope(db, incidentId);
  const byIncident = await windowsOf(
    db,
    scope.map((i) => i.id),
  );
  const rows = await db
    .select({ id: customers.id, regions: customers.regions, components: customers.components })
    .from(customers)
    // One array parameter: this runs per send batch, whose customer list can be long.
    .where(inTextArray(customers.id, [...new Set(customerIds)]));
  for (const customer of rows) {
    const windows = scope.filter((i) => touches(i, customer)).flatMap((i) => byIncident.get(i.id) ?? []);
    result.set(customer.id, minutesOf(durationSeconds(windows, now)));
  }
  return result;
}

/** Minutes one customer was disrupted by the incident (and its series); see `minutesAffectedByCustomer`. */
export async function minutesAffectedFor(
  db: Db,
  ids: { incidentId: string; customerId: string },
  now = new Date(),
): Promise<number> {
  const minutes = await minutesAffectedByCustomer(db, ids.incidentId, [ids.customerId], now);
  return minutes.get(ids.customerId) ?? 0;
}
