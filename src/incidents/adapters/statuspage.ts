import { z } from 'zod';
import { badRequest } from '../../http/errors.js';
import type { EventType } from '../lifecycle.js';
import type { EventBody } from '../schemas.js';
import { isoDate, oneLine, slugs, validEvent } from './text.js';

const named = z.looseObject({ name: z.string().optional(), code: z.string().optional() });

const updateSchema = z.looseObject({
  id: z.string().min(1).max(150),
  status: z.string(),
  body: z.string().nullish(),
  created_at: z.string(),
  affected_components: z.array(named).nullish(),
});

const incidentLike = z.looseObject({
  id: z.string().min(1).max(150),
  name: z.string().min(1),
  status: z.string(),
  impact: z.string().nullish(),
  impact_override: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  started_at: z.string().nullish(),
  scheduled_for: z.string().nullish(),
  backfilled: z.boolean().nullish(),
  components: z.array(named).nullish(),
  affected_components: z.array(named).nullish(),
  incident_updates: z.array(updateSchema).nullish(),
  maintenance_updates: z.array(updateSchema).nullish(),
});

/**
 * Statuspage's incident webhook, and Instatus' copy of it (upper-case statuses, maintenances under
 * `maintenance` with `maintenance_updates`). Component-only webhooks carry neither and are ignored.
 */
export const statuspageBodySchema = z.looseObject({
  incident: incidentLike.optional(),
  maintenance: incidentLike.optional(),
});
export type StatuspageBody = z.infer<typeof statuspageBodySchema>;

/** Keyed by the status with everything but letters removed and lowercased, which also fits Instatus. */
const TYPE_BY_STATUS: Record<string, EventType> = {
  investigating: 'incident.investigating',
  identified: 'incident.identified',
  monitoring: 'incident.monitoring',
  resolved: 'incident.resolved',
  postmortem: 'incident.postmortem',
  scheduled: 'maintenance.scheduled',
  notstartedyet: 'maintenance.scheduled',
  inprogress: 'maintenance.started',
  // Statuspage's "verifying" is still inside the maintenance window.
  verifying: 'maintenance.started',
  completed: 'maintenance.completed',
};

const SEVERITY_BY_IMPACT: Record<string, 'minor' | 'major' | 'critical'> = {
  none: 'minor',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
  // Instatus names impacts after component states.
  operational: 'minor',
  undermaintenance: 'minor',
  degradedperformance: 'minor',
  partialoutage: 'major',
  minoroutage: 'major',
  majoroutage: 'critical',
};

const key = (value: string) => value.toLowerCase().replace(/[^a-z]/g, '');

export function eventTypeFor(status: string): EventType {
  const type = TYPE_BY_STATUS[key(status)];
  if (!type) {
    throw badRequest(`Unknown Statuspage status ${JSON.stringify(status)}.`, [
      { path: 'incident.status', message: `expected one of ${Object.keys(TYPE_BY_STATUS).join(', ')}` },
    ]);
  }
  return type;
}

export const severityFor = (impact: string | null | undefined) =>
  SEVERITY_BY_IMPACT[key(impact ?? '')] ?? 'minor';

/**
 * One event per `incident_updates[]` entry, oldest first, each with the update's id as its event id so
 * that the updates repeated in every later webhook are recognised as replays. An incident without updates
 * becomes one event from its own status. Backfilled (historical) incidents are stored but never mailed.
 */
export function translateStatuspage(body: StatuspageBody): { events: EventBody[] } | { ignored: string } {
  const incident = body.incident ?? body.maintenance;
  if (!incident) return { ignored: 'No incident or maintenance in the payload (a component update?).' };

  const updates = [...(incident.incident_updates ?? incident.maintenance_updates ?? [])];
  const components = slugs(
    [
      ...(incident.components ?? []),
      ...(incident.affected_components ?? []),
      ...updates.flatMap((u) => u.affected_components ?? []),
    ].flatMap((c) => (c.name ? [c.name] : [])),
  );
  const base = {
    ref: `statuspage:${incident.id}`,
    title: oneLine(incident.name),
    severity: severityFor(incident.impact_override ?? incident.impact),
    components,
    regions: [],
    started_at:
      isoDate(incident.started_at) ?? isoDate(incident.scheduled_for) ?? isoDate(incident.created_at),
  };
  const notify = incident.backfilled !== true;

  // Statuspage lists updates newest first; a stable sort on time keeps same-second updates in order.
  const ordered = updates
    .map((u, index) => ({ u, index, at: isoDate(u.created_at) }))
    .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || b.index - a.index);
  const events = ordered.map(({ u, at }) =>
    validEvent('Statuspage', {
      id: `statuspage:${u.id}`,
      type: eventTypeFor(u.status),
      occurred_at: at ?? '',
      incident: base,
      message: u.body ? u.body.slice(0, 10_000) : undefined,
      notify,
    }),
  );
  if (events.length === 0) {
    const at = isoDate(incident.updated_at) ?? isoDate(incident.created_at) ?? '';
    events.push(
      validEvent('Statuspage', {
        id: `statuspage:${incident.id}:${key(incident.status)}:${at}`,
        type: eventTypeFor(incident.status),
        occurred_at: at,
        incident: base,
        notify,
      }),
    );
  }
  return { events };
}
