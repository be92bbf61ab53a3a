import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { incidentEvents } from '../../src/db/schema.js';
import { HELD, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth } from '../support/fixtures.js';
import { fixture, formBody } from './fixtures/load.js';

describe.each(drivers)('integrations (%s)', (driver) => {
  const t = useTestApp(driver, {
    env: {
      ...HELD,
      CANDOR_UPTIMEROBOT_MONITORS: JSON.stringify({
        '788411295': { components: ['helpdesk'], regions: ['us'] },
      }),
    },
    seedAudience: true,
  });

  const uptime = (payload: Record<string, unknown>, as: 'json' | 'form' = 'json', headers = auth) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/integrations/uptimerobot',
      headers: as === 'form' ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
      payload: as === 'form' ? formBody(payload) : payload,
    });
  const statuspage = (payload: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/integrations/statuspage',
      headers: auth,
      payload: payload as object,
    });
  const incident = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/v1/incidents/${id}`, headers: auth })).json();

  describe('Uptime Robot', () => {
    it('opens an incident from a form-encoded down alert and resolves it from a JSON up alert', async () => {
      const down = await uptime(fixture('uptimerobot-down'), 'form');
      expect(down.statusCode).toBe(202);
      expect(down.json()).toMatchObject({ status: 'investigating', duplicate: false });
      // Which segments get mail is the send policy's business; that the affected customers are planned for is ours.
      expect(down.json().communications.length).toBeGreaterThan(0);
      const up = await uptime(fixture('uptimerobot-up'));
      expect(up.statusCode).toBe(202);
      expect(up.json()).toMatchObject({ incident_id: down.json().incident_id, status: 'resolved' });

      const detail = await incident(down.json().incident_id);
      expect(detail).toMatchObject({
        title: 'Help desk (US) is down',
        severity: 'major',
        components: ['helpdesk'],
        regions: ['us'],
        series_key: 'uptimerobot:788411295',
        started_at: '2017-05-15T14:02:00.000Z',
        resolved_at: '2017-05-15T14:07:47.000Z',
        windows: [{ started_at: '2017-05-15T14:02:00.000Z', ended_at: '2017-05-15T14:07:47.000Z' }],
        duration_seconds: 347,
      });
      expect(detail.timeline.map((t: { message: string }) => t.message)).toEqual([
        'Help desk (US) is down: Connection Timeout.',
        'Help desk (US) is back up after 5 minutes.',
      ]);
    });

    it('answers a repeated alert as a replay, whichever encoding it comes in', async () => {
      const again = await uptime(fixture('uptimerobot-down'));
      expect(again.statusCode).toBe(200);
      expect(again.json().duplicate).toBe(true);
      expect(again.json().events).toEqual([expect.objectContaining({ duplicate: true })]);
    });

    it('refuses an unfilled test notification with 422 and stores nothing', async () => {
      const before = await t.deps.database.db.select().from(incidentEvents);
      for (const as of ['json', 'form'] as const) {
        const response = await uptime(fixture('uptimerobot-test-placeholders'), as);
        expect(response.statusCode).toBe(422);
        expect(response.json().error.code).toBe('unfilled_placeholder');
      }
      expect(await t.deps.database.db.select().from(incidentEvents)).toHaveLength(before.length);
    });

    it('ignores SSL-expiry alerts with 202 and refuses an up alert with nothing open', async () => {
      const ssl = await uptime({ ...fixture('uptimerobot-down'), alertType: '3', monitorID: '5' });
      expect(ssl.statusCode).toBe(202);
      expect(ssl.json()).toEqual({ ignored: true, reason: expect.any(String) });
      const orphan = await uptime({ ...fixture('uptimerobot-up'), monitorID: '6' });
      expect(orphan.statusCode).toBe(409);
      expect(orphan.json().error.code).toBe('unknown_incident');
    });

    it('reads the variables from the query string when the webhook URL carries them', async () => {
      const query = new URLSearchParams({
        ...fixture<Record<string, string>>('uptimerobot-down'),
        monitorID: '7',
      });
      const response = await t.app.inject({
        method: 'POST',
        url: `/v1/integrations/uptimerobot?${query}`,
        headers: auth,
      });
      expect(response.statusCode, response.body).toBe(202);
      expect((await incident(response.json().incident_id)).series_key).toBe('uptimerobot:7');
    });

    it('needs events:write and a known content type', async () => {
      const { key } = await createApiKey(t.deps.database.db, { name: 'ro', scopes: ['read'], actor: 'test' });
      expect(
        (await uptime(fixture('uptimerobot-down'), 'json', { authorization: `Bearer ${key}` })).statusCode,
      ).toBe(403);
      expect((await uptime(fixture('uptimerobot-down'), 'json', {} as typeof auth)).statusCode).toBe(401);
      const xml = await t.app.inject({
        method: 'POST',
        url: '/v1/integrations/uptimerobot',
        headers: { ...auth, 'content-type': 'application/xml' },
        payload: '<alert/>',
      });
      expect(xml.statusCode).toBe(415);
    });
  });

  describe('Statuspage and Instatus', () => {
    it('applies every update once: later webhooks repeat old updates as replays', async () => {
      const first = await statuspage(fixture('statuspage-incident-identified'));
      expect(first.statusCode).toBe(202);
      expect(first.json()).toMatchObject({ status: 'identified', duplicate: false });
      expect(first.json().events.map((e: { duplicate: boolean }) => e.duplicate)).toEqual([false, false]);

      const second = await statuspage(fixture('statuspage-incident-resolved'));
      expect(second.statusCode).toBe(202);
      expect(second.json()).toMatchObject({ incident_id: first.json().incident_id, status: 'resolved' });
      expect(
        second.json().events.map((e: { type: string; duplicate: boolean }) => [e.type, e.duplicate]),
      ).toEqual([
        ['incident.investigating', true],
        ['incident.identified', true],
        ['incident.monitoring', false],
        ['incident.resolved', false],
      ]);

      const replay = await statuspage(fixture('statuspage-incident-resolved'));
      expect(replay.statusCode).toBe(200);
      expect(replay.json().duplicate).toBe(true);

      const detail = await incident(first.json().incident_id);
      expect(detail).toMatchObject({
        ref: 'statuspage:p31zjtct2jer',
        components: ['help-desk', 'rest-api'],
        severity: 'major',
        status: 'resolved',
      });
      expect(detail.timeline).toHaveLength(4);
      expect(detail.duration_seconds).toBe(41 * 60 + 30);
    });

    it('keeps a status move Candor would refuse as a text update', async () => {
      const body = fixture<{ incident: { incident_updates: Record<string, unknown>[] } }>(
        'statuspage-incident-identified',
      );
      body.incident.incident_updates.unshift({
        id: 'back2ident001',
        status: 'monitoring',
        body: 'Watching.',
        created_at: '2017-05-15T14:25:00Z',
      });
      body.incident.incident_updates.unshift({
        id: 'back2ident002',
        status: 'identified',
        body: 'Errors came back; we are on it again.',
        created_at: '2017-05-15T14:30:00Z',
      });
      const ref = { ...body, incident: { ...body.incident, id: 'regress0001' } };
      const response = await statuspage(ref);
      expect(response.statusCode, response.body).toBe(202);
      expect(response.json().status).toBe('monitoring');
      expect(response.json().events.at(-1)).toMatchObject({ type: 'incident.update', status: 'monitoring' });
    });

    it('reads Instatus incidents and maintenances, and ignores component updates', async () => {
      const instatus = await statuspage(fixture('instatus-incident'));
      expect(instatus.statusCode).toBe(202);
      expect(instatus.json()).toMatchObject({ status: 'monitoring' });
      const maintenance = await statuspage(fixture('statuspage-maintenance'));
      expect(maintenance.statusCode).toBe(202);
      expect(maintenance.json().status).toBe('in_progress');
      expect((await incident(maintenance.json().incident_id)).kind).toBe('maintenance');
      const component = await statuspage(fixture('statuspage-component-update'));
      expect(component.statusCode).toBe(202);
      expect(component.json().ignored).toBe(true);
    });

    it('rejects an unknown status with 400 and a malformed payload with 400', async () => {
      const body = fixture<{ incident: { incident_updates: { status: string }[] } }>(
        'statuspage-incident-identified',
      );
      body.incident.incident_updates[0]!.status = 'on_fire';
      expect((await statuspage(body)).statusCode).toBe(400);
      const malformed = await statuspage({ incident: { id: 'x', status: 'identified' } });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.details[0].path).toBe('incident.name');
    });
  });

  it('stores the source payload as the event payload it translated to', async () => {
    const rows = await t.deps.database.db
      .select()
      .from(incidentEvents)
      .where(eq(incidentEvents.eventId, 'statuspage:k2hd81mbx0qa'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toMatchObject({ type: 'incident.investigating' });
  });
});
