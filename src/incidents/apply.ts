import { and, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import { audienceVersionSql } from '../audience/audience-version.js';
import { planAutomaticNotices } from '../communications/send-policy.js';
import type { Config } from '../config.js';
import { selectRows } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { executeWrites } from '../db/combined-writes.js';
import { newId } from '../db/ids.js';
import { insertFromJson } from '../db/json-insert.js';
import { incidentEvents, incidents } from '../db/schema.js';
import { HttpError } from '../http/errors.js';
import {
  type EventType,
  type IncidentStatus,
  initialStatus,
  isMaintenanceEvent,
  nextStatus,
  usuallyOpens,
} from './lifecycle.js';
import type { EventBody, EventResponse } from './schemas.js';
import { linkIntoSeries, lockSeries, refForSeries } from './series.js';
import { windowWrites } from './windows.js';

type IncidentRow = typeof incidents.$inferSelect;

export interface ApplyContext {
  config: Config;
  source: string;
  now: Date;
  /** Record an illegal status move as a text-only update instead of refusing it (see `IngestOptions`). */
  illegalTransitionAsUpdate: boolean;
}

export interface AppliedEvent {
  response: EventResponse;
  sourceEventId: string;
  /** The type recorded: the event's own, or `incident.update` when an illegal move was downgraded. */
  type: string;
  duplicate: boolean;
}

/**
 * Applies one event inside the caller's transaction. The event row is unique on (source, event id): a
 * replay, even a concurrent one, waits on the first insert and then answers with the stored response.
 * Transition errors are raised only after that check, so a replay of an old event is never a 409.
 * (`applyOpeningEvent` stores most events that open an incident alike, in one statement.)
 */
export async function applyEvent(tx: Db, ctx: ApplyContext, event: EventBody): Promise<AppliedEvent> {
  const { source, now } = ctx;
  const seriesKey = event.incident.series_key;
  if (seriesKey) await lockSeries(tx, source, seriesKey);
  const ref =
    event.incident.ref ??
    (await refForSeries(tx, source, seriesKey as string, { id: event.id, type: event.type }));
  const eventRow = eventRowOf(ctx, event);
  const locked = await lockIncident(tx, ref, event, ctx, eventRow);
  // A new incident is inserted in the status its first event opens it with; it was 'new' before that.
  const before = locked.created ? { ...locked.row, status: 'new' } : locked.row;
  const plan = planTransition(before, event.type, ctx.illegalTransitionAsUpdate);

  const eventInserted = locked.created
    ? locked.eventInserted
    : (await selectRows(tx, insertEvent(eventRow(locked.row.id, plan.type)))).length > 0;
  if (!eventInserted) {
    // The same event id was first used for another incident: do not leave an empty one behind.
    if (locked.created) await tx.delete(incidents).where(eq(incidents.id, locked.row.id));
    return storedEvent(tx, source, event.id);
  }
  if (plan.error) throw plan.error;

  // An existing incident's UPDATE joins the event's other writes; a new one was inserted as it is.
  const { incident, write } = locked.created
    ? { incident: await linkIntoSeries(tx, locked.row, ctx.config.flapWindowMinutes), write: undefined }
    : incidentUpdate(tx, locked.row, event, plan.status, now);
  const { response, writes } = await consequences(tx, ctx, {
    event,
    eventRowId: eventRow.id,
    before: before.status,
    incident,
    type: plan.type,
    newIncident: locked.created,
    audienceVersion: locked.audienceVersion,
  });
  // The incident's update, the window, the notices and the stored answer: one round trip.
  await executeWrites(tx, [
    ...(write ? [write] : []),
    ...writes,
    sql`update incident_events set response = ${JSON.stringify(response)}::jsonb where id = ${eventRow.id}`,
  ]);
  return { response, sourceEventId: event.id, type: plan.type, duplicate: false };
}

type NewEventRow = typeof incidentEvents.$inferInsert;

/**
 * Makes the event's row, given its incident and the type it is recorded as. The row's id (`.id`) is made
 * once, up front, so the event's answer can name it before the row exists.
 */
export function eventRowOf(ctx: Pick<ApplyContext, 'source' | 'now'>, event: EventBody) {
  const id = newId('evt', ctx.now.getTime());
  const row = (incidentId: string, type: string): NewEventRow => ({
    id,
    incidentId,
    source: ctx.source,
    eventId: event.id,
    type,
    occurredAt: new Date(event.occurred_at),
    message: event.message ?? null,
    payload: event,
    createdAt: ctx.now,
  });
  return Object.assign(row, { id });
}

/** The event row's insert, returning its id; a replay of its (source, event id) inserts nothing. */
const insertEvent = (row: NewEventRow, onlyIf?: SQL) =>
  sql`${insertFromJson(incidentEvents, [row], onlyIf)} on conflict do nothing returning id`;

/**
 * What an applied event writes besides the incident and its own row — the incident's window and the
 * notices the send policy plans — and its answer. Reads (and cancels replaced notices) in `tx`; the
 * writes are returned for the caller to run with its own, under `onlyIf` when given.
 */
export async function consequences(
  tx: Db,
  ctx: ApplyContext,
  input: {
    event: EventBody;
    eventRowId: string;
    /** The incident's status before the event ('new' for an incident it opens). */
    before: string;
    incident: IncidentRow;
    type: EventType;
    newIncident: boolean;
    audienceVersion: string | null;
    onlyIf?: SQL;
  },
): Promise<{ response: EventResponse; writes: SQL[] }> {
  const { event, incident, before, onlyIf } = input;
  // The send policy decides, `notify: false` included (it may still withdraw superseded notices).
  const notices = await planAutomaticNotices(tx, ctx.config, {
    incident,
    eventId: input.eventRowId,
    eventType: input.type,
    message: event.message,
    notify: event.notify,
    newIncident: input.newIncident,
    audienceVersion: input.audienceVersion,
    ...(onlyIf ? { onlyIf } : {}),
    now: ctx.now,
  });
  const windowChange = windowWrites(
    incident.id,
    {
      from: before,
      to: incident.status,
      at: before === 'new' ? incident.startedAt : new Date(event.occurred_at),
    },
    onlyIf,
  );
  return {
    response: {
      incident_id: incident.id,
      event_id: input.eventRowId,
      status: incident.status,
      duplicate: false,
      communications: notices.communications,
    },
    writes: [...windowChange, ...notices.writes],
  };
}

async function storedEvent(tx: Db, source: string, eventId: string): Promise<AppliedEvent> {
  const [row] = await tx
    .select({ response: incidentEvents.response, type: incidentEvents.type })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.source, source), eq(incidentEvents.eventId, eventId)));
  if (!row?.response) throw new Error(`event ${eventId} exists without a stored response`);
  const response = { ...(row.response as EventResponse), duplicate: true };
  return { response, sourceEventId: eventId, type: row.type, duplicate: true };
}

export type Plan = { status: IncidentStatus; type: EventType; error?: HttpError };

function planTransition(
  row: Pick<IncidentRow, 'status' | 'kind'>,
  type: EventType,
  downgrade: boolean,
): Plan {
  const current = row.status as IncidentStatus | 'new';
  try {
    return { status: current === 'new' ? initialStatus(type) : nextStatus(current, type, row.kind), type };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (downgrade && error.code === 'illegal_transition' && current !== 'new' && current !== 'postmortem') {
      return { status: current, type: 'incident.update' };
    }
    return { status: current === 'new' ? 'investigating' : current, type, error };
  }
}

/** The incident's columns plus the audience version, read in the same statement to save a round trip. */
const withAudienceVersion = { ...getTableColumns(incidents), audienceVersion: audienceVersionSql };

/**
 * The row a new incident is inserted with, already in the status its opening event gives it (so it needs
 * no UPDATE after its INSERT), and that transition: `opening.error` when the event cannot open one.
 */
export function openingIncident(
  ctx: Pick<ApplyContext, 'source' | 'now' | 'illegalTransitionAsUpdate'>,
  ref: string,
  event: EventBody,
): { row: IncidentRow; opening: Plan } {
  const kind = isMaintenanceEvent(event.type) ? 'maintenance' : 'incident';
  const opening = planTransition({ status: 'new', kind }, event.type, ctx.illegalTransitionAsUpdate);
  const row: IncidentRow = {
    id: newId('inc', ctx.now.getTime()),
    source: ctx.source,
    ref,
    kind,
    title: event.incident.title,
    severity: event.incident.severity,
    status: opening.status,
    components: event.incident.components,
    regions: event.incident.regions,
    startedAt: new Date(event.incident.started_at ?? event.occurred_at),
    resolvedAt: opening.status === 'resolved' ? new Date(event.occurred_at) : null,
    seriesKey: event.incident.series_key ?? null,
    seriesId: null,
    seriesPosition: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  return { row, opening };
}

/**
 * Finds or creates the incident and locks its row, so concurrent events for one incident (and concurrent
 * replays of one event) are applied one after the other. A new incident is inserted together with its
 * event row (given the opening event type) in one statement, which tells whether the event was new; for
 * an existing incident the caller inserts the event once it has planned the transition. An event that
 * seldom opens anything (an update, a resolution) looks for its incident first, saving the insert attempt.
 */
async function lockIncident(
  tx: Db,
  ref: string,
  event: EventBody,
  ctx: ApplyContext,
  eventRow: (incidentId: string, type: string) => NewEventRow,
): Promise<
  | { row: IncidentRow; created: true; eventInserted: boolean; audienceVersion: string | null }
  | { row: IncidentRow; created: false; audienceVersion: string | null }
> {
  const lockExisting = async () => {
    const [existing] = await tx
      .select(withAudienceVersion)
      .from(incidents)
      .where(and(eq(incidents.source, ctx.source), eq(incidents.ref, ref)))
      .for('update', { of: incidents });
    if (!existing) return undefined;
    const { audienceVersion, ...locked } = existing;
    return { row: locked, created: false as const, audienceVersion };
  };
  if (!usuallyOpens(event.type)) {
    const existing = await lockExisting();
    if (existing) return existing;
  }
  const { row, opening } = openingIncident(ctx, ref, event);
  // Every column is given, so the row inserted is `row`: only the audience version comes back. Plain SQL
  // over one JSON parameter each (drizzle's builder cost ~150 µs an event here), and the event row rides
  // in the same statement when the incident is new: one round trip fewer for every new incident.
  const [created] = await selectRows<{ audienceVersion: string | null; eventInserted: boolean }>(
    tx,
    sql`with created as (
      ${insertFromJson(incidents, [row])} on conflict do nothing returning ${audienceVersionSql} as "audienceVersion"
    ), event as (${insertEvent(eventRow(row.id, opening.type), sql`exists (select from created)`)})
    select "audienceVersion", exists (select from event) as "eventInserted" from created`,
  );
  // A row this transaction inserted is already locked: a concurrent insert of the same ref waits on it.
  if (created) return { row, created: true, ...created };
  const existing = await lockExisting();
  if (!existing) throw new Error('incident row vanished inside its transaction');
  return existing;
}

/**
 * The incident as the event leaves it, and the UPDATE that stores it, for the event's combined writes:
 * every column that changes is known here, so nothing needs to come back.
 */
function incidentUpdate(
  tx: Db,
  current: IncidentRow,
  event: EventBody,
  status: IncidentStatus,
  now: Date,
): { incident: IncidentRow; write: SQL } {
  const changes = {
    status,
    title: event.incident.title,
    severity: event.incident.severity,
    components: event.incident.components,
    regions: event.incident.regions,
    resolvedAt:
      status === 'resolved' && current.status !== 'resolved'
        ? new Date(event.occurred_at)
        : status === 'investigating'
          ? null
          : current.resolvedAt,
    updatedAt: now,
  };
  return {
    incident: { ...current, ...changes },
    write: tx.update(incidents).set(changes).where(eq(incidents.id, current.id)).getSQL(),
  };
}
