import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AudienceApp, startAudienceApp } from '../support/audience-app.js';
import { drivers } from '../support/database.js';
import { auth } from '../support/fixtures.js';

describe.each(drivers)('live rule counts and affected summaries (%s)', (driver) => {
  let audience: AudienceApp;
  beforeAll(async () => {
    audience = await startAudienceApp(driver);
  });
  afterAll(async () => {
    await audience?.close();
  });

  const count = (payload: Record<string, unknown>) =>
    audience.app.inject({ method: 'POST', url: '/v1/segments/count', headers: auth, payload });

  it('counts the contacts a rule matches on its own, suppressed ones apart, and stores nothing', async () => {
    const pro = await count({ rule: { field: 'tier', in: ['pro'] } });
    expect(pro.statusCode).toBe(200);
    // globex (1 contact, suppressed) and initech (1 contact).
    expect(pro.json()).toEqual({ customers: 2, recipients: 1, suppressed: 1 });
    const affected = await count({
      rule: { all: [{ affected: true }, { field: 'tier', in: ['enterprise', 'pro'] }] },
      incident_id: audience.incidentId,
    });
    expect(affected.json()).toEqual({ customers: 2, recipients: 2, suppressed: 1 });
    const segments = await audience.app.inject({ method: 'GET', url: '/v1/segments', headers: auth });
    expect(segments.json().data.map((s: { key: string }) => s.key)).toEqual([
      'affected-enterprise',
      'affected',
      'unaffected',
    ]);
  });

  it('answers 400 with paths for a bad rule, for "affected" without an incident, and 404 for an unknown incident', async () => {
    const bad = await count({ rule: { field: 'plan', in: [] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toEqual(['rule.field', 'rule.in']);
    const needsIncident = await count({ rule: { affected: true } });
    expect(needsIncident.statusCode).toBe(400);
    expect(needsIncident.json().error.details[0].path).toBe('incident_id');
    expect((await count({ rule: { affected: true }, incident_id: 'inc_nope' })).statusCode).toBe(404);
  });

  it('needs credentials', async () => {
    const res = await audience.app.inject({
      method: 'POST',
      url: '/v1/segments/count',
      payload: { rule: {} },
    });
    expect(res.statusCode).toBe(401);
  });

  it('summarises affected customers of several incidents at once', async () => {
    const res = await audience.app.inject({
      method: 'GET',
      url: `/v1/audience/affected?incident_ids=${audience.incidentId},inc_unknown`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    // northwind (2 contacts) and globex (1 contact, suppressed).
    expect(res.json()).toEqual({
      data: [{ incident_id: audience.incidentId, customers: 2, recipients: 2, suppressed: 1 }],
    });
    const many = Array.from({ length: 101 }, (_, i) => `inc_${i}`).join(',');
    const tooMany = await audience.app.inject({
      method: 'GET',
      url: `/v1/audience/affected?incident_ids=${many}`,
      headers: auth,
    });
    expect(tooMany.statusCode).toBe(400);
  });
});
