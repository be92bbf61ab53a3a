import { count, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import {
  communications,
  communicationVersions,
  incidentEvents,
  incidents,
  messages,
} from '../../src/db/schema.js';
import { HELD, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth, incidentEvent } from '../support/fixtures.js';

describe.each(drivers)('POST /v1/events (%s)', (driver) => {
  const t = useTestApp(driver, { env: { ...HELD, CANDOR_BODY_LIMIT_BYTES: '16384' }, seedAudience: true });

  const post = (payload: unknown, headers: Record<string, string> = auth) =>
    t.app.inject({ method: 'POST', url: '/v1/events', headers, payload: payload as object });

  it('accepts an event, moves the incident and plans a held notice for the affected customers', async () => {
    const event = incidentEvent({ incident: { ref: 'accept' } });
    const response = await post(event);
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ status: 'investigating', duplicate: false });
    // One communication per default segment that has recipients; `unaffected` is not mailed.
    expect(body.communications).toMatchObject([
      { segment: 'affected-enterprise', kind: 'notice', status: 'scheduled', recipients: 2 },
      { segment: 'affected', kind: 'notice', status: 'scheduled', recipients: 1 },
    ]);
    const sendAt = Date.parse(body.communications[0].send_at);
    expect(sendAt - Date.now()).toBeGreaterThan(590_000);

    const incident = await t.app.inject({
      method: 'GET',
      url: `/v1/incidents/${body.incident_id}`,
      headers: auth,
    });
    expect(incident.json()).toMatchObject({
      ref: 'accept',
      status: 'investigating',
      title: event.incident.title,
    });
    expect(incident.json().timeline).toHaveLength(1);
    expect(incident.json().communications[0].counts.queued).toBe(0);
  });

  it('stores a new incident with every field of its opening event', async () => {
    const event = incidentEvent({
      type: 'incident.identified',
      occurred_at: '2026-11-24T21:00:00.123Z',
      incident: {
        ref: 'stored-row',
        title: 'Search, "quoted" – and slow',
        severity: 'critical',
        components: ['search', 'api'],
        regions: ['eu', 'us'],
        started_at: '2026-11-24T20:58:30.5+01:00',
      },
    });
    const response = await post(event);
    expect(response.statusCode).toBe(202);
    const [row] = await t.deps.database.db
      .select()
      .from(incidents)
      .where(eq(incidents.id, response.json().incident_id));
    expect(row).toMatchObject({
      ref: 'stored-row',
      kind: 'incident',
      title: 'Search, "quoted" – and slow',
      severity: 'critical',
      status: 'identified',
      components: ['search', 'api'],
      regions: ['eu', 'us'],
      startedAt: new Date('2026-11-24T19:58:30.500Z'),
      resolvedAt: null,
      seriesKey: null,
      seriesId: null,
      seriesPosition: null,
    });
    expect(row?.createdAt.getTime()).toBe(row?.updatedAt.getTime());
  });

  it('answers a replay with the original body and duplicate: true, applying nothing twice', async () => {
    const event = incidentEvent({ incident: { ref: 'replay' } });
    const first = await post(event);
    const changed = { ...event, message: 'a different text with the same id' };
    const second = await post(changed);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ ...first.json(), duplicate: true });
    const [{ value } = { value: -1 }] = await t.deps.database.db
      .select({ value: count() })
      .from(communications)
      .where(eq(communications.incidentId, first.json().incident_id));
    expect(value).toBe(2);
  });

  it('never double-applies concurrent duplicates', async () => {
    const event = incidentEvent({ incident: { ref: 'concurrent' } });
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(event)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    const [{ value } = { value: -1 }] = await t.deps.database.db
      .select({ value: count() })
      .from(incidentEvents)
      .where(eq(incidentEvents.eventId, event.id));
    expect(value).toBe(1);
  });

  it('answers an event id reused for another incident as a replay, leaving no empty incident', async () => {
    const event = incidentEvent({ incident: { ref: 'first-use' } });
    const first = await post(event);
    const reused = await post({ ...event, incident: { ...event.incident, ref: 'second-use' } });
    expect(reused.statusCode).toBe(200);
    expect(reused.json()).toEqual({ ...first.json(), duplicate: true });
    const refs = await t.deps.database.db
      .select({ ref: incidents.ref })
      .from(incidents)
      .where(inArray(incidents.ref, ['first-use', 'second-use']));
    expect(refs).toEqual([{ ref: 'first-use' }]);
  });

  it('keeps event ids apart per API key', async () => {
    const { key } = await createApiKey(t.deps.database.db, {
      name: 'other',
      scopes: ['events:write'],
      actor: 'test',
    });
    const event = incidentEvent({ incident: { ref: 'per-source' } });
    expect((await post(event)).statusCode).toBe(202);
    expect((await post(event, { authorization: `Bearer ${key}` })).statusCode).toBe(202);
  });

  it('answers an illegal transition with 409 naming the current and allowed states', async () => {
    const ref = 'illegal';
    expect((await post(incidentEvent({ incident: { ref } }))).statusCode).toBe(202);
    expect((await post(incidentEvent({ type: 'incident.monitoring', incident: { ref } }))).statusCode).toBe(
      202,
    );
    const back = await post(incidentEvent({ type: 'incident.identified', incident: { ref } }));
    expect(back.statusCode).toBe(409);
    expect(back.json().error).toMatchObject({
      code: 'illegal_transition',
      details: [{ current_status: 'monitoring', allowed: ['monitoring', 'resolved'] }],
    });
    const unknown = await post(
      incidentEvent({ type: 'incident.resolved', incident: { ref: 'never-opened' } }),
    );
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json().error.code).toBe('unknown_incident');
  });

  it('lets a newer event replace a notice that has not gone out yet', async () => {
    const ref = 'flap';
    const opened = await post(incidentEvent({ incident: { ref } }));
    const resolved = await post(incidentEvent({ type: 'incident.resolved', incident: { ref } }));
    expect(resolved.json().communications).toMatchObject([
      { segment: 'affected-enterprise', kind: 'resolution', status: 'scheduled' },
      { segment: 'affected', kind: 'resolution', status: 'scheduled' },
    ]);
    const openedIds = opened.json().communications.map((c: { id: string }) => c.id);
    const replaced = await t.deps.database.db
      .select()
      .from(communications)
      .where(inArray(communications.id, openedIds));
    expect(replaced.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    // The customer never heard of it: the one e-mail they get says it was brief.
    const [version] = await t.deps.database.db
      .select()
      .from(communicationVersions)
      .where(eq(communicationVersions.communicationId, resolved.json().communications[0].id));
    expect(version?.props).toMatchObject({ brief: true });
  });

  it('does not mail "monitoring" and keeps the pending notice', async () => {
    const ref = 'monitoring-quiet';
    const opened = await post(incidentEvent({ incident: { ref } }));
    const monitoring = await post(incidentEvent({ type: 'incident.monitoring', incident: { ref } }));
    expect(monitoring.statusCode).toBe(202);
    expect(monitoring.json().communications).toEqual([]);
    const still = await t.deps.database.db
      .select()
      .from(communications)
      .where(eq(communications.id, opened.json().communications[0].id));
    expect(still[0]?.status).toBe('scheduled');
  });

  it('stores but does not mail an event with notify: false', async () => {
    const response = await post(incidentEvent({ notify: false, incident: { ref: 'quiet' } }));
    expect(response.statusCode).toBe(202);
    expect(response.json().communications).toEqual([]);
    expect(await t.deps.database.db.select().from(messages)).toEqual([]);
  });

  it('rejects schema violations with 400 validation_failed and a path per problem', async () => {
    const bad = incidentEvent({ type: 'incident.exploded', incident: { severity: 'apocalyptic' } });
    const response = await post(bad);
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual(['incident.severity', 'type']);
  });

  it('rejects CR/LF in header-bound fields', async () => {
    const response = await post(
      incidentEvent({ incident: { title: 'Broken\r\nBcc: everyone@example.com' } }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].path).toBe('incident.title');
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"id": "evt_1", ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
  });

  it('answers 413 over the body limit and 415 for an unsupported content type', async () => {
    const big = await post(incidentEvent({ message: 'x'.repeat(20_000) }));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
    const xml = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<event/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('unsupported_media_type');
  });

  it('answers 401 without or with bad credentials and 403 without the scope', async () => {
    expect((await post(incidentEvent(), {})).statusCode).toBe(401);
    expect((await post(incidentEvent(), { authorization: 'Bearer cnd_not-a-key' })).statusCode).toBe(401);
    const { key } = await createApiKey(t.deps.database.db, {
      name: 'reader',
      scopes: ['read'],
      actor: 'test',
    });
    const forbidden = await post(incidentEvent(), { authorization: `Bearer ${key}` });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('forbidden');
  });

  it('lists incidents newest first with a cursor', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/v1/incidents?limit=2', headers: auth });
    expect(first.statusCode).toBe(200);
    expect(first.json().data).toHaveLength(2);
    const [a, b] = first.json().data;
    expect(a.id > b.id).toBe(true);
    const next = await t.app.inject({
      method: 'GET',
      url: `/v1/incidents?limit=2&cursor=${first.json().next_cursor}`,
      headers: auth,
    });
    expect(next.json().data[0].id < b.id).toBe(true);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/incidents?limit=501', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/incidents/inc_nope', headers: auth })).statusCode,
    ).toBe(404);
  });
});
