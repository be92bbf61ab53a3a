import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { auditLog } from '../../src/db/schema.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { buildTestApp } from './helpers.js';

const BOOTSTRAP = 'bootstrap-key-for-tests-0123456789';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe.each(drivers)('API keys (%s)', (driver) => {
  let deps: TestDeps;
  let app: FastifyInstance;

  beforeAll(async () => {
    deps = await createTestDeps(driver, { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP } });
    app = await buildTestApp(deps);
  });
  afterAll(async () => {
    await app?.close();
    await deps?.close();
  });

  async function createKey(scopes: string[], name = 'svc') {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(BOOTSTRAP),
      payload: { name, scopes },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as {
      id: string;
      key: string;
      prefix: string;
      scopes: string[];
      name: string;
      created_at: string;
    };
  }

  it('creates a key shown once, stores only its hash and lists it by prefix', async () => {
    const created = await createKey(['events:write', 'read'], 'monitor');
    expect(created.key).toMatch(/^cnd_[A-Za-z0-9_-]{43,}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created.scopes).toEqual(['events:write', 'read']);
    expect(created.id).toMatch(/^key_/);

    const rows = await deps.database.db.query.apiKeys.findMany();
    const row = rows.find((r) => r.id === created.id)!;
    expect(row.keyHash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(rows)).not.toContain(created.key);

    const list = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(BOOTSTRAP) });
    expect(list.statusCode).toBe(200);
    const body = list.json();
    const listed = body.data.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'monitor', prefix: created.prefix, revoked_at: null });
    expect(JSON.stringify(body)).not.toContain(created.key);

    const audit = await deps.database.db.select().from(auditLog);
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'api_key.create',
        subjectId: created.id,
        actor: 'api_key:bootstrap',
      }),
    );
  });

  it('paginates with limit and cursor', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await createKey(['read'], `page-${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ method: 'GET', url, headers: bearer(BOOTSTRAP) });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { data: { id: string }[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((k) => k.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('authenticates with a created key, enforces scopes, and rejects it once revoked', async () => {
    const { id, key } = await createKey(['read']);
    const readOnly = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key) });
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json().error.code).toBe('forbidden');
    expect(readOnly.json().error.message).toContain('admin');

    const adminKey = await createKey(['admin']);
    const ok = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(adminKey.key) });
    expect(ok.statusCode).toBe(200);
    const row = await deps.database.db.query.apiKeys.findFirst({
      where: (k, { eq }) => eq(k.id, adminKey.id),
    });
    expect(row?.lastUsedAt).toBeInstanceOf(Date);

    const revoke = await app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${adminKey.id}`,
      headers: bearer(BOOTSTRAP),
    });
    expect(revoke.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(adminKey.key) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');

    const again = await app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${adminKey.id}`,
      headers: bearer(BOOTSTRAP),
    });
    expect(again.statusCode).toBe(204);
    const audit = await deps.database.db.select().from(auditLog);
    expect(audit.filter((a) => a.action === 'api_key.revoke' && a.subjectId === adminKey.id)).toHaveLength(1);
    expect(id).not.toBe(adminKey.id);
  });

  it('answers 404 when revoking an unknown key', async () => {
    const res = await app.inject({
      method: 'DELETE',
      url: '/v1/api-keys/key_nope',
      headers: bearer(BOOTSTRAP),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('answers 401 without, or with a malformed or unknown, bearer key', async () => {
    for (const headers of [
      {},
      { authorization: 'Basic Zm9vOmJhcg==' },
      bearer('cnd_not-a-real-key'),
      bearer(`${BOOTSTRAP}x`),
    ]) {
      const res = await app.inject({ method: 'GET', url: '/v1/api-keys', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('rejects an unknown scope with a 400 naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(BOOTSTRAP),
      payload: { name: 'x', scopes: ['read', 'superuser'] },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d: { path: string }) => d.path)).toContain('scopes.1');
  });
});
