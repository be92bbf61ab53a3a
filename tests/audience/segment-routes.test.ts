import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { newId } from '../../src/db/ids.js';
import { auditLog, communications, suppressions } from '../../src/db/schema.js';
import { type AudienceApp, startAudienceApp } from '../support/audience-app.js';
import { drivers } from '../support/database.js';
import type { TestDeps } from '../support/deps.js';
import { auth } from '../support/fixtures.js';

describe.each(drivers)('segment, audience and suppression routes (%s)', (driver) => {
  let h: AudienceApp;
  let deps: TestDeps;
  let app: FastifyInstance;
  let incidentId: string;
  beforeAll(async () => {
    h = await startAudienceApp(driver);
    ({ deps, app, incidentId } = h);
  });
  afterAll(async () => h?.close());

  const get = (url: string, headers: Record<string, string> = auth) =>
    app.inject({ method: 'GET', url, headers });

  it('answers an incident audience per segment, and 404 for an unknown incident', async () => {
    const res = await get(`/v1/incidents/${incidentId}/audience`);
    expect(res.statusCode).toBe(200);
    // northwind (enterprise, 2 contacts), globex (pro, suppressed), initech + umbrella unaffected.
    expect(
      res
        .json()
        .segments.map((s: Record<string, unknown>) => [s.segment, s.customers, s.recipients, s.suppressed]),
    ).toEqual([
      ['affected-enterprise', 1, 2, 0],
      ['affected', 1, 0, 1],
      ['unaffected', 2, 2, 0],
    ]);
    expect((await get('/v1/incidents/inc_nothere/audience')).statusCode).toBe(404);
  });

  it('lists segments and upserts one: 201, then 200, 400 with rule paths, 403 without audience:write', async () => {
    const list = await get('/v1/segments');
    expect(list.json()).toMatchObject({
      data: [
        { key: 'affected-enterprise', default: true },
        { key: 'affected', default: true },
        { key: 'unaffected', default: true },
      ],
      next_cursor: null,
    });
    const body = {
      name: 'German speakers',
      rule: { field: 'locale', in: ['de'] },
      template: 'affected',
      priority: 40,
    };
    const put = (payload: unknown, headers = auth) =>
      app.inject({ method: 'PUT', url: '/v1/segments/german', headers, payload: payload as object });
    const created = await put(body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      created: true,
      segment: { key: 'german', priority: 40, send_policy: null, default: false },
    });
    const updated = await put({ ...body, send_policy: { notify: false } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().segment).toMatchObject({ send_policy: { notify: false }, priority: 40 });
    const bad = await put({ ...body, rule: { all: [{ affected: true }, { field: 'plan', in: ['x'] }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'rule.all.1.field' }],
    });
    const { key } = await createApiKey(deps.database.db, { name: 'reader', scopes: ['read'], actor: 'test' });
    expect((await put(body, { authorization: `Bearer ${key}` })).statusCode).toBe(403);
    const audit = await deps.database.db.select().from(auditLog);
    expect(audit.filter((a) => a.subjectId === 'german').map((a) => a.action)).toEqual([
      'segment.create',
      'segment.update',
    ]);
  });

  it('deletes a segment: 409 for a default one or one still addressed, 404 unknown, 204 and audited', async () => {
    const del = (key: string, headers = auth) =>
      app.inject({ method: 'DELETE', url: `/v1/segments/${key}`, headers });
    const onDefault = await del('affected');
    expect(onDefault.statusCode).toBe(409);
    expect(onDefault.json().error.code).toBe('default_segment');
    expect((await del('no-such-segment')).statusCode).toBe(404);

    await app.inject({
      method: 'PUT',
      url: '/v1/segments/trial',
      headers: auth,
      payload: { name: 'Trial accounts', rule: { field: 'tier', in: ['free'] } },
    });
    const communicationId = newId('com');
    await deps.database.db.insert(communications).values({
      id: communicationId,
      incidentId,
      kind: 'notice',
      segment: 'trial',
      status: 'scheduled',
      from: 'Acme Status <status@acme.example>',
    });
    const inUse = await del('trial');
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toMatchObject({
      code: 'segment_in_use',
      details: [{ communication_id: communicationId }],
    });
    const { key } = await createApiKey(deps.database.db, {
      name: 'reader2',
      scopes: ['read'],
      actor: 'test',
    });
    expect((await del('trial', { authorization: `Bearer ${key}` })).statusCode).toBe(403);

    await deps.database.db
      .update(communications)
      .set({ status: 'cancelled' })
      .where(eq(communications.id, communicationId));
    expect((await del('trial')).statusCode).toBe(204);
    expect((await get('/v1/segments')).json().data.map((s: { key: string }) => s.key)).not.toContain('trial');
    const audit = await deps.database.db.select().from(auditLog);
    expect(audit.filter((a) => a.subjectId === 'trial').map((a) => a.action)).toContain('segment.delete');
  });

  it('filters customers by segment, needing incident_id when the segment depends on "affected"', async () => {
    const refs = async (url: string) => (await get(url)).json().data.map((c: { ref: string }) => c.ref);
    expect(await refs(`/v1/customers?segment=affected-enterprise&incident_id=${incidentId}`)).toEqual([
      'northwind',
    ]);
    expect((await refs(`/v1/customers?segment=unaffected&incident_id=${incidentId}`)).sort()).toEqual([
      'initech',
      'umbrella',
    ]);
    const missing = await get('/v1/customers?segment=affected');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([
      { path: 'query.incident_id', message: expect.any(String) },
    ]);
    expect((await get('/v1/customers?segment=nope')).json().error.details[0].path).toBe('query.segment');
    expect((await get('/v1/customers?segment=affected&incident_id=inc_nothere')).statusCode).toBe(404);
    const enterpriseOnly = { name: 'Enterprise', rule: { field: 'tier', eq: 'enterprise' }, priority: 1 };
    await app.inject({
      method: 'PUT',
      url: '/v1/segments/enterprise',
      headers: auth,
      payload: enterpriseOnly,
    });
    expect(await refs('/v1/customers?segment=enterprise')).toEqual(['northwind']);
  });

  it('lists suppressions with paging and lifts one with 204, then 404', async () => {
    await deps.database.db
      .insert(suppressions)
      .values(
        ['a@x.example', 'b@x.example'].map((email) => ({ email, reason: 'complaint', source: 'test' })),
      );
    const first = await get('/v1/suppressions?limit=2');
    expect(first.json().data.map((s: { email: string }) => s.email)).toEqual(['a@x.example', 'b@x.example']);
    const second = await get(`/v1/suppressions?limit=2&cursor=${first.json().next_cursor}`);
    expect(second.json()).toMatchObject({
      data: [{ email: 'it@globex.example', reason: 'bounce', details: { code: 550 } }],
      next_cursor: null,
    });
    expect((await get('/v1/suppressions?cursor=bm9wZQ')).statusCode).toBe(400);
    const del = (email: string) =>
      app.inject({ method: 'DELETE', url: `/v1/suppressions/${email}`, headers: auth });
    expect((await del('IT@Globex.example')).statusCode).toBe(204);
    expect((await del('it@globex.example')).statusCode).toBe(404);
    // Lifted: globex is mailed again.
    const audience = await get(`/v1/incidents/${incidentId}/audience`);
    const affected = audience.json().segments.find((x: { segment: string }) => x.segment === 'affected');
    expect(affected).toMatchObject({ recipients: 1, suppressed: 0 });
  });

  it('imports a streamed CSV: bad rows by row number, non-adjacent refs rejected, valid rows kept', async () => {
    const csv = [
      'ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role',
      'acme,Acme,enterprise,us,helpdesk,,a@acme.example,,',
      'acme,,,,,,b@acme.example,"Ben, ""B""",CTO',
      'hooli,Hooli,Pro Plan,us,api,,h@hooli.example,,',
      'stark,Stark,pro,us,api,,s@stark.example,,',
      'acme,,,,,,late@acme.example,,',
      'wayne,Wayne,pro,eu,api,,not-an-email,,',
    ].join('\r\n');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      created: 2,
      updated: 0,
      rejected: [
        { row: 4, error: expect.stringContaining('tier: ') },
        { row: 6, error: expect.stringContaining('rows of one customer must be adjacent') },
        { row: 7, error: expect.stringContaining('contact_email: not a valid e-mail address') },
      ],
    });
    const acme = (await get('/v1/customers/acme')).json();
    expect(acme.contacts.map((c: { name: string | null }) => c.name)).toEqual([null, 'Ben, "B"']);
  });

  it('answers 413 for a CSV over the row limit or a declared body over the byte limit, 400 for a broken quote', async () => {
    const header = 'ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role\n';
    // Rows without a ref are rejected without touching the database, which keeps this test fast.
    const rows = ',R,pro,us,api,,x@r.example,,\n'.repeat(50_001);
    const post = (payload: string, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/v1/customers/import',
        headers: { ...auth, 'content-type': 'text/csv', ...headers },
        payload,
      });
    const tooMany = await post(header + rows);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error).toMatchObject({
      code: 'too_many_rows',
      message: expect.stringContaining('50000'),
    });
    const declared = await post(header, { 'content-length': String(60 * 1024 * 1024) });
    expect(declared.statusCode).toBe(413);
    const broken = await post(`${header}q,Q,pro,us,api,,"q@q.example,,\n`);
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details[0].path).toBe('row.2');
  }, 120_000);
});
