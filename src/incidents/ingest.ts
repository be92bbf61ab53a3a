import { and, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import { planAutomaticNotices } from '../communications/send-policy.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { incidentEvents, incidents } from '../db/schema.js';
import { enqueueDueFanouts } from '../delivery/enqueue.js';
import type { AppDeps } from '../deps.js';
import {
  type EventType,
  type IncidentStatus,
  initialStatus,
  isMaintenanceEvent,
  nextStatus,
} from './lifecycle.js';
import type { EventBody, EventResponse } from './schemas.js';

export interface IngestResult {
  /** 202 for a newly accepted event, 200 for a replay. */
  statusCode: 200 | 202;
  body: EventResponse;
}

/**
 * Stores one lifecycle event and its consequences in one transaction, then (outside it) enqueues the
 * fan-out. The event row is unique on (source, event id): a replay, even a concurrent one, waits on the
 * first insert and then answers with the stored response, so an event is never applied twice.
 * If Redis is down the event is still accepted; the sweeper enqueues the fan-out when Redis returns.
 */
export async function ingestEvent(
  deps: AppDeps,
  principal: Principal,
  event: EventBody,
): Promise<IngestResult> {
  const { db } = deps.database;
  const now = new Date();
  const result = await db.transaction(
    async (tx): Promise<{ replay: EventResponse } | { accepted: EventResponse }> => {
      const locked = await lockIncident(tx, principal.source, event, now);
      const eventRowId = newId('evt', now.getTime());
      const inserted = await tx
        .insert(incidentEvents)
        .values({
          id: eventRowId,
          incidentId: locked.row.id,
          source: principal.source,
          eventId: event.id,
          type: event.type,
          occurredAt: new Date(event.occurred_at),
          message: event.message ?? null,
          payload: event,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: incidentEvents.id });
      if (inserted.length === 0) {
        // The same event id was first used for another incident: do not leave an empty one behind.
        if (locked.created) await tx.delete(incidents).where(eq(incidents.id, locked.row.id));
        return { replay: await storedResponse(tx, principal.source, event.id) };
      }

      const incident = await applyEvent(tx, locked.row, event, now);
      const communications = event.notify
        ? await planAutomaticNotices(tx, deps.config, {
            incident,
            eventId: eventRowId,
            eventType: event.type,
            message: event.message,
            now,
          })
        : [];
      const body: EventResponse = {
        incident_id: incident.id,
        event_id: eventRowId,
        status: incident.status,
        duplicate: false,
        communications,
      };
      await tx.update(incidentEvents).set({ response: body }).where(eq(incidentEvents.id, eventRowId));
      return { accepted: body };
    },
  );

  if ('replay' in result) return { statusCode: 200, body: { ...result.replay, duplicate: true } };
  if (result.accepted.communications.length > 0) {
    await enqueueDueFanouts(
      deps,
      result.accepted.communications.map((c) => c.id),
    ).catch((error: unknown) => {
      deps.logger.warn(
        { err: error },
        'could not enqueue fan-out; the sweeper will retry when Redis is back',
      );
    });
  }
  return { statusCode: 202, body: result.accepted };
}

async function storedResponse(tx: Db, source: string, eventId: string): Promise<EventResponse> {
  const [row] = await tx
    .select({ response: incidentEvents.response })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.source, source), eq(incidentEvents.eventId, eventId)));
  if (!row?.response) throw new Error(`event ${eventId} exists without a stored response`);
  return row.response as EventResponse;
}

type IncidentRow = typeof incidents.$inferSelect;

/**
 * Finds or creates the incident and locks its row, so concurrent events for one incident (and concurrent
 * replays of one event) are applied one after the other.
 */
async function lockIncident(tx: Db, source: string, event: EventBody, now: Date) {
  const kind = isMaintenanceEvent(event.type) ? 'maintenance' : 'incident';
  const created = await tx
    .insert(incidents)
    .values({
      id: newId('inc', now.getTime()),
      source,
      ref: event.incident.ref,
      kind,
      title: event.incident.title,
      severity: event.incident.severity,
      status: 'new',
      components: event.incident.components,
      regions: event.incident.regions,
      startedAt: new Date(event.incident.started_at ?? event.occurred_at),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: incidents.id });
  const [row] = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.source, source), eq(incidents.ref, event.incident.ref)))
    .for('update');
  if (!row) throw new Error('incident row vanished inside its transaction');
  return { row, created: created.length > 0 };
}

async function applyEvent(tx: Db, current: IncidentRow, event: EventBody, now: Date): Promise<IncidentRow> {
  const type = event.type as EventType;
  const status =
    current.status === 'new'
      ? initialStatus(type)
      : nextStatus(current.status as IncidentStatus, type, current.kind);
  const resolvedAt =
    status === 'resolved'
      ? new Date(event.occurred_at)
      : status === 'investigating'
        ? null
        : current.resolvedAt;
  const [updated] = await tx
    .update(incidents)
    .set({
      status,
      title: event.incident.title,
      severity: event.incident.severity,
      components: event.incident.components,
      regions: event.incident.regions,
      resolvedAt,
      updatedAt: now,
    })
    .where(eq(incidents.id, current.id))
    .returning();
  if (!updated) throw new Error('incident update returned nothing');
  return updated;
}
