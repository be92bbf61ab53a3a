import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bumpAudienceVersion } from '../../src/audience/audience-version.js';
import {
  communications,
  communicationVersions,
  incidentEvents,
  incidents,
  incidentWindows,
} from '../../src/db/schema.js';
import { type ApplyContext, applyEvent } from '../../src/incidents/apply.js';
import { applyOpeningEvent } from '../../src/incidents/apply-opening.js';
import { type EventBody, eventBodySchema } from '../../src/incidents/schemas.js';
import { HELD, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth, incidentEvent } from '../support/fixtures.js';

describe.each(drivers)('applyOpeningEvent: a new incident in one statement (%s)', (driver) => {
  const t = useTestApp(driver, { env: HELD, seedAudience: true });

  const ctx = (): ApplyContext => ({
    config: t.deps.config,
    source: 'api_key:test',
    now: new Date(),
    illegalTransitionAsUpdate: false,
  });
  const event = (overrides: Record<string, unknown>): EventBody =>
    eventBodySchema.parse(incidentEvent(overrides));
  /** Through the usual path, in a transaction: what the one-statement path must store alike. */
  const applyInTransaction = (body: EventBody) =>
    t.deps.database.db.transaction((tx) => applyEvent(tx, ctx(), body));

  /** Everything an event stored, without the ids and times that differ between two events. */
  async function stored(incidentId: string) {
    const { db } = t.deps.database;
    const [incident] = await db.select().from(incidents).where(eq(incidents.id, incidentId));
    const events = await db.select().from(incidentEvents).where(eq(incidentEvents.incidentId, incidentId));
    const windows = await db.select().from(incidentWindows).where(eq(incidentWindows.incidentId, incidentId));
    const notices = await db.select().from(communications).where(eq(communications.incidentId, incidentId));
    const versions = notices.length
      ? await db
          .select()
          .from(communicationVersions)
          .where(
            inArray(
              communicationVersions.communicationId,
              notices.map((n) => n.id),
            ),
          )
      : [];
    const { id, ref, createdAt, updatedAt, ...incidentRest } = incident!;
    return {
      incident: incidentRest,
      events: events.map(({ id, incidentId, eventId, createdAt, response, payload, ...rest }) => ({
        ...rest,
        communications: (response as { communications: unknown[] }).communications.length,
      })),
      windows: windows.map(({ id, incidentId, ...rest }) => rest),
      notices: notices
        .map(({ id, incidentId, eventId, sendAt, createdAt, updatedAt, fanoutEnqueuedAt, ...rest }) => rest)
        .sort((a, b) => a.segment.localeCompare(b.segment)),
      versions: versions.map(({ id, communicationId, createdAt, ...rest }) => rest).sort(),
    };
  }

  it('stores what the transaction would, with the answer on the event row', async () => {
    // The usual path reads the audience version and counts this scope, which the one statement reuses.
    const first = await applyInTransaction(event({ incident: { ref: 'usual-path' } }));
    const opened = await applyOpeningEvent(
      t.deps.database.db,
      ctx(),
      event({ incident: { ref: 'one-statement' } }),
    );
    expect(opened).toBeDefined();
    expect(opened!.response.communications.length).toBeGreaterThan(0);
    const [row] = await t.deps.database.db
      .select({ response: incidentEvents.response })
      .from(incidentEvents)
      .where(eq(incidentEvents.id, opened!.response.event_id));
    expect(row?.response).toEqual(opened!.response);
    expect(await stored(opened!.response.incident_id)).toEqual(await stored(first.response.incident_id));
  });

  it('writes nothing and leaves the event to the transaction when the incident exists', async () => {
    await applyInTransaction(event({ incident: { ref: 'exists' } }));
    const again = event({ incident: { ref: 'exists' } });
    expect(await applyOpeningEvent(t.deps.database.db, ctx(), again)).toBeUndefined();
    const rows = await t.deps.database.db
      .select()
      .from(incidentEvents)
      .where(eq(incidentEvents.eventId, again.id));
    expect(rows).toEqual([]);
  });

  it('writes nothing when the audience changed since this process counted it', async () => {
    await applyInTransaction(event({ incident: { ref: 'before-import' } }));
    await bumpAudienceVersion(t.deps.database.db);
    const body = event({ incident: { ref: 'after-import' } });
    expect(await applyOpeningEvent(t.deps.database.db, ctx(), body)).toBeUndefined();
    const rows = await t.deps.database.db.select().from(incidents).where(eq(incidents.ref, 'after-import'));
    expect(rows).toEqual([]);
    // The API then takes the usual path, which reads the new version.
    const response = await t.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: body });
    expect(response.statusCode).toBe(202);
    expect(response.json().communications.length).toBeGreaterThan(0);
  });

  it('undoes the whole statement when the event id was first used for another incident', async () => {
    const first = event({ incident: { ref: 'id-first-use' } });
    await applyInTransaction(first);
    const reused = { ...first, incident: { ...first.incident, ref: 'id-second-use' } };
    expect(await applyOpeningEvent(t.deps.database.db, ctx(), reused)).toBeUndefined();
    const rows = await t.deps.database.db.select().from(incidents).where(eq(incidents.ref, 'id-second-use'));
    expect(rows).toEqual([]);
  });

  // `identified` takes the transaction, which looks for the incident before trying to insert it.
  it.each(['incident.investigating', 'incident.identified'])(
    'opens one incident when two %s events for it arrive at once, the loser applied after it',
    async (type) => {
      await applyInTransaction(event({ incident: { ref: 'warm-race' } }));
      const { db } = t.deps.database;
      for (let i = 0; i < 5; i++) {
        const ref = `race-${type}-${i}`;
        const post = (body: unknown) =>
          t.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: body as object });
        const answers = await Promise.all([
          post(incidentEvent({ type, incident: { ref } })),
          post(incidentEvent({ type, incident: { ref } })),
        ]);
        expect(answers.map((a) => a.statusCode)).toEqual([202, 202]);
        const rows = await db.select({ id: incidents.id }).from(incidents).where(eq(incidents.ref, ref));
        expect(rows).toHaveLength(1);
        const incidentId = rows[0]!.id;
        expect(answers.map((a) => a.json().incident_id)).toEqual([incidentId, incidentId]);
        expect(
          await db.select().from(incidentEvents).where(eq(incidentEvents.incidentId, incidentId)),
        ).toHaveLength(2);
        expect(
          await db.select().from(incidentWindows).where(eq(incidentWindows.incidentId, incidentId)),
        ).toHaveLength(1);
      }
    },
  );

  it('leaves events with a series key, or that cannot open an incident, to the transaction', async () => {
    await applyInTransaction(event({ incident: { ref: 'warm' } }));
    const db = t.deps.database.db;
    expect(
      await applyOpeningEvent(db, ctx(), event({ incident: { ref: undefined, series_key: 'monitor-1' } })),
    ).toBeUndefined();
    expect(
      await applyOpeningEvent(
        db,
        ctx(),
        event({ type: 'incident.resolved', incident: { ref: 'resolved-first' } }),
      ),
    ).toBeUndefined();
  });
});
