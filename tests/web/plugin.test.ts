import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createUser } from '../../src/auth/users.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { BOOTSTRAP_KEY } from '../support/fixtures.js';

const INDEX = '<!doctype html><title>Candor</title><div id="root"></div>';

// Serving only: the built app itself is driven in Chromium by staff-ui.test.ts.
describe('serving the staff UI', () => {
  let deps: TestDeps;
  let built: FastifyInstance;
  let unbuilt: FastifyInstance;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'candor-web-plugin-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), INDEX);
    await writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    deps = await createTestDeps('pglite', { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
    built = await buildApp(deps, { web: { distDir: dir } });
    unbuilt = await buildApp(deps, { web: { distDir: path.join(dir, 'missing') } });
  });
  afterAll(async () => {
    await built?.close();
    await unbuilt?.close();
    await deps?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and at every UI path, with a content security policy and no caching', async () => {
    for (const url of ['/', '/incidents', '/communications/com_1?tab=edit', '/approvals/com_2']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable and answers 404 for a missing file', async () => {
    const asset = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await built.inject({ method: 'GET', url: '/favicon.svg' })).statusCode).toBe(200);
    const missing = await built.inject({ method: 'GET', url: '/assets/gone.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect((await built.inject({ method: 'GET', url: '/../package.json' })).body).not.toContain('"scripts"');
  });

  it('never shadows the API: unknown API paths keep the JSON 404, known ones answer as before', async () => {
    for (const url of [
      '/v1/nope',
      '/v1/communications/com_1/nope',
      '/u/abc/extra',
      '/admin/queues/nope',
      '/docs/nope',
    ]) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/json/);
    }
    expect((await built.inject({ method: 'GET', url: '/v1/nope' })).json()).toEqual({
      error: { code: 'not_found', message: 'No route for GET /v1/nope.' },
    });
    expect((await built.inject({ method: 'POST', url: '/incidents' })).statusCode).toBe(404);
    expect((await built.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    expect((await built.inject({ method: 'GET', url: '/metrics' })).body).toContain('# HELP');
    expect(
      (await built.inject({ method: 'GET', url: '/docs/json' })).json().paths['/v1/outbox'],
    ).toBeDefined();
    expect((await built.inject({ method: 'GET', url: '/v1/incidents' })).statusCode).toBe(401);
  });

  it('without a build, answers UI paths with a page that says how to build it', async () => {
    const res = await unbuilt.inject({ method: 'GET', url: '/incidents' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run ui:build');
    expect((await unbuilt.inject({ method: 'GET', url: '/v1/nope' })).statusCode).toBe(404);
  });

  it('bootstraps the UI: no session is 200 with null, a session gets the user and a CSRF token', async () => {
    const anonymous = await built.inject({ method: 'GET', url: '/v1/ui/bootstrap' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ session: null, transport: 'outbox', notice_hold_seconds: 0 });
    expect(anonymous.headers['set-cookie']).toBeUndefined();

    const password = 'correct horse battery staple';
    const email = `ui-${Date.now()}@staff.acme.example`;
    await createUser(
      deps.database.db,
      { email, name: 'Una', role: 'comms', password },
      { senderDomains: deps.config.senderDomains, actor: 'test' },
    );
    const login = await built.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
    const cookie = login.cookies.find((c) => c.name === 'candor_session')!;
    const res = await built.inject({
      method: 'GET',
      url: '/v1/ui/bootstrap',
      headers: { cookie: `candor_session=${cookie.value}` },
    });
    expect(res.json()).toMatchObject({ session: { user: { email, role: 'comms', name: 'Una' } } });
    const token = res.json().session.csrf_token;
    // The token works for state-changing requests of that session.
    const preview = await built.inject({
      method: 'POST',
      url: '/v1/segments/count',
      headers: { cookie: `candor_session=${cookie.value}`, 'x-csrf-token': token },
      payload: { rule: { field: 'tier', in: ['pro'] } },
    });
    expect(preview.statusCode).toBe(200);
  });
});
