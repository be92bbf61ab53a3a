import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createApiKey } from '../../src/auth/api-keys.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

const KEY = 'test-bootstrap-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };
const body = {
  name: 'Acme',
  tier: 'enterprise',
  regions: ['us'],
  components: ['helpdesk'],
  contacts: [{ email: 'Ada@Acme.example', name: 'Ada' }],
};

describe.each(drivers)('audience routes (%s)', (driver) => {
  let deps: TestDeps;
  let app: FastifyInstance;
  beforeAll(async () => {
    deps = await createTestDeps(driver, { env: { CANDOR_BOOTSTRAP_API_KEY: KEY } });
    app = await buildApp(deps);
  });
  afterAll(async () => {
    await app?.close();
    await deps?.close();
  });

  it('answers 401 without credentials and 403 without the audience:write scope', async () => {
    const none = await app.inject({ method: 'PUT', url: '/v1/customers/acme', payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    expect((await app.inject({ method: 'GET', url: '/v1/customers' })).statusCode).toBe(401);
    const { key } = await createApiKey(deps.database.db, { name: 'reader', scopes: ['read'], actor: 'test' });
    const reader = await app.inject({
      method: 'PUT',
      url: '/v1/customers/acme',
      headers: { authorization: `Bearer ${key}` },
      payload: body,
    });
    expect(reader.statusCode).toBe(403);
  });

  it('creates with 201, updates with 200 and reads back', async () => {
    const created = await app.inject({
      method: 'PUT',
      url: '/v1/customers/acme',
      headers: auth,
      payload: body,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      created: true,
      customer: { ref: 'acme', contacts: [{ email: 'ada@acme.example' }] },
    });
    const updated = await app.inject({
      method: 'PUT',
      url: '/v1/customers/acme',
      headers: auth,
      payload: { ...body, tier: 'pro' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ created: false, customer: { tier: 'pro' } });
    const read = await app.inject({ method: 'GET', url: '/v1/customers/acme', headers: auth });
    expect(read.json()).toMatchObject({
      ref: 'acme',
      tier: 'pro',
      contacts: [{ suppressed: false, unsubscribed_at: null }],
    });
    const list = await app.inject({ method: 'GET', url: '/v1/customers?q=acm&limit=1', headers: auth });
    expect(list.json()).toMatchObject({ data: [{ ref: 'acme' }], next_cursor: null });
    expect((await app.inject({ method: 'GET', url: '/v1/customers/nobody', headers: auth })).statusCode).toBe(
      404,
    );
  });

  it('answers 400 with a detail per problem', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/customers/acme',
      headers: auth,
      payload: {
        ...body,
        tier: 'Gold',
        contacts: [
          { email: 'not-an-address' },
          { email: 'x@acme.example', name: 'Evil\r\nBcc: all@example.com' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'contacts.0.email',
      'contacts.1.name',
      'tier',
    ]);
  });

  it('imports JSON: 200 with rejected rows, 422 when nothing was accepted, 413 over the row limit', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: auth,
      payload: [
        { ...body, ref: 'acme' },
        { ...body, ref: 'globex' },
        { ...body, ref: 'bad', contacts: [] },
      ],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      created: 1,
      updated: 1,
      rejected: [{ row: 3, error: expect.stringContaining('contacts') }],
    });

    const none = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: auth,
      payload: [{ ref: 'x' }],
    });
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({
      created: 0,
      updated: 0,
      error: { code: 'no_valid_rows' },
      rejected: [{ row: 1 }],
    });

    const tooMany = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: `[${new Array(50_001).fill('0').join(',')}]`,
    });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error).toMatchObject({
      code: 'too_many_rows',
      message: expect.stringContaining('50000'),
    });
  });

  it('imports CSV and refuses other content types with 415', async () => {
    const csv =
      'ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role\ninitech,Initech,pro,us|eu,api,,ops@initech.example,,\n';
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: { ...auth, 'content-type': 'text/csv; charset=utf-8' },
      payload: csv,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ created: 1, updated: 0, rejected: [] });
    const xml = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<customers/>',
    });
    expect(xml.statusCode).toBe(415);
    const jsonString = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: auth,
      payload: { x: 1 },
    });
    expect(jsonString.statusCode).toBe(400);
    const quoted = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify(csv),
    });
    expect(quoted.statusCode).toBe(400);
  });

  it('accepts an import body above the global body limit', async () => {
    const many = Array.from({ length: 4_000 }, (_, i) => ({
      ...body,
      ref: `big-${i}`,
      name: `Big ${'x'.repeat(250)} ${i}`,
    }));
    const payload = JSON.stringify(many);
    expect(payload.length).toBeGreaterThan(deps.config.bodyLimitBytes);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers/import',
      headers: { ...auth, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 4_000, rejected: [] });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/v1/customers/{ref}', '/v1/customers/import', '/v1/customers']),
    );
    expect(paths['/v1/customers/{ref}'].put.tags).toEqual(['audience']);
  });
});
