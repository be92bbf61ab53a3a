import { describe, expect, it } from 'vitest';
import { HELD, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth, incidentEvent } from '../support/fixtures.js';
import { fixture } from './fixtures/load.js';

const T0 = Date.parse('2017-05-15T14:00:00Z') / 1000;

describe.each(drivers)('flapping series, windows and duration (%s)', (driver) => {
  const t = useTestApp(driver, { env: { ...HELD, CANDOR_FLAP_WINDOW_MINUTES: '30' } });

  /** One Uptime Robot alert for `monitor`, `minutes` after T0. */
  const alert = async (monitor: string, kind: 'down' | 'up', minutes: number) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/integrations/uptimerobot',
      headers: auth,
      payload: {
        ...fixture(kind === 'down' ? 'uptimerobot-down' : 'uptimerobot-up'),
        monitorID: monitor,
        alertDateTime: String(T0 + minutes * 60),
      },
    });
    expect(response.statusCode, response.body).toBe(202);
    return response.json() as { incident_id: string; status: string };
  };
  const incident = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/v1/incidents/${id}`, headers: auth })).json();

  it('makes one incident per outage and links flaps within the window as a series', async () => {
    const ids: string[] = [];
    for (const [kind, minutes] of [
      ['down', 0],
      ['up', 5],
      ['down', 10],
      ['up', 14],
      ['down', 40], // 26 minutes after the last resolution: still within 30
    ] as const) {
      const result = await alert('m-flap', kind, minutes);
      if (kind === 'down') ids.push(result.incident_id);
      else expect(result.incident_id).toBe(ids.at(-1));
    }
    expect(new Set(ids).size).toBe(3);
    const series = await Promise.all(ids.map(async (id) => (await incident(id)).series));
    expect(series).toEqual([
      { id: ids[0], position: 1, label: '1st disruption today' },
      { id: ids[0], position: 2, label: '2nd disruption today' },
      { id: ids[0], position: 3, label: '3rd disruption today' },
    ]);
    // A second down alert while the outage lasts updates the open incident.
    expect((await alert('m-flap', 'down', 41)).incident_id).toBe(ids[2]);

    await alert('m-flap', 'up', 45);
    const later = await alert('m-flap', 'down', 45 + 31);
    const fresh = await incident(later.incident_id);
    expect(fresh.series).toEqual({ id: later.incident_id, position: 1, label: '1st disruption today' });

    const list = await t.app.inject({ method: 'GET', url: '/v1/incidents?limit=10', headers: auth });
    const listed = list.json().data.find((i: { id: string }) => i.id === ids[1]);
    expect(listed.series).toMatchObject({ position: 2 });
    expect(listed.duration_seconds).toBe(4 * 60);
  });

  it('opens one incident when down alerts of one monitor arrive concurrently', async () => {
    const results = await Promise.all([0, 1, 2, 3, 4].map((m) => alert('m-race', 'down', m)));
    expect(new Set(results.map((r) => r.incident_id)).size).toBe(1);
    expect((await incident(results[0]!.incident_id)).timeline).toHaveLength(5);
  });

  it('says "in a row" when the series runs past midnight UTC, and keeps monitors apart', async () => {
    const late = (minutes: number) => minutes + 9 * 60 + 50; // 23:50 UTC
    await alert('m-midnight', 'down', late(0));
    await alert('m-midnight', 'up', late(5));
    const other = await alert('m-other', 'down', late(6));
    const second = await alert('m-midnight', 'down', late(15));
    expect((await incident(second.incident_id)).series).toMatchObject({
      position: 2,
      label: '2nd disruption in a row',
    });
    expect((await incident(other.incident_id)).series).toMatchObject({ position: 1 });
  });

  it('links events sent to POST /v1/events with an incident.series_key', async () => {
    const post = (overrides: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: incidentEvent(overrides) });
    const incidentOf = (ref: string) => ({ ref, series_key: 'db-cluster-us', started_at: undefined });
    const a = await post({ occurred_at: '2017-05-17T10:00:00Z', incident: incidentOf('db-a') });
    await post({
      type: 'incident.resolved',
      occurred_at: '2017-05-17T10:04:00Z',
      incident: incidentOf('db-a'),
    });
    const b = await post({ occurred_at: '2017-05-17T10:20:00Z', incident: incidentOf('db-b') });
    expect((await incident(b.json().incident_id)).series).toEqual({
      id: a.json().incident_id,
      position: 2,
      label: '2nd disruption today',
    });
    const noRef = await post({ incident: { ref: undefined, series_key: undefined } });
    expect(noRef.statusCode).toBe(400);
    expect(noRef.json().error.details[0].path).toBe('incident.ref');
  });

  it('keeps one window per open period and sums them as the duration', async () => {
    const ref = 'windows-reopen';
    const post = (type: string, at: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: auth,
        payload: incidentEvent({
          type,
          occurred_at: at,
          incident: { ref, started_at: '2017-05-18T09:58:00Z' },
        }),
      });
    const opened = await post('incident.investigating', '2017-05-18T10:00:00Z');
    await post('incident.identified', '2017-05-18T10:05:00Z');
    await post('incident.resolved', '2017-05-18T10:10:00Z');
    await post('incident.investigating', '2017-05-18T11:00:00Z');
    await post('incident.resolved', '2017-05-18T11:03:30Z');
    const id = opened.json().incident_id;
    const closed = await incident(id);
    expect(closed.windows).toEqual([
      { started_at: '2017-05-18T09:58:00.000Z', ended_at: '2017-05-18T10:10:00.000Z' },
      { started_at: '2017-05-18T11:00:00.000Z', ended_at: '2017-05-18T11:03:30.000Z' },
    ]);
    expect(closed.duration_seconds).toBe(12 * 60 + 210);
    expect(closed.series).toBeNull();

    // An open window counts up to now.
    await post('incident.investigating', new Date(Date.now() - 60_000).toISOString());
    const reopened = await incident(id);
    expect(reopened.windows).toHaveLength(3);
    expect(reopened.windows[2].ended_at).toBeNull();
    expect(reopened.duration_seconds).toBeGreaterThanOrEqual(12 * 60 + 210 + 60);
    expect(reopened.duration_seconds).toBeLessThan(12 * 60 + 210 + 120);
  });
});
