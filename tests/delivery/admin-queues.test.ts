import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth } from '../support/fixtures.js';

describe.each(drivers)('/admin/queues (%s)', (driver) => {
  const t = useTestApp(driver);

  it('refuses callers without credentials or without the admin scope', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthorized');
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(api.statusCode).toBe(401);

    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth,
      payload: { name: 'reader', scopes: ['read'] },
    });
    const reader = { authorization: `Bearer ${created.json().key}` };
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues', headers: reader })).statusCode).toBe(
      403,
    );
  });

  it('serves the dashboard and every queue to an admin, read-only', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);

    await t.deps.queues.add('provider-events', { deliveryEventId: 'dev_1' }, 'pe-dev_1');
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: auth });
    expect(api.statusCode).toBe(200);
    const queues = api.json().queues as { name: string; readOnlyMode: boolean }[];
    expect(queues.map((q) => q.name).sort()).toEqual(
      ['fanout', 'inbound', 'provider-events', 'send'].map((n) => `${t.deps.queueNamePrefix}-${n}`).sort(),
    );
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);

    const asset = page.body.match(/src="([^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    // The page loads its scripts relative to `<base href="/admin/queues/">`; they are behind the same check.
    const url = new URL(asset!, 'http://x/admin/queues/').pathname;
    expect((await t.app.inject({ method: 'GET', url, headers: auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('works with an admin session cookie (a browser) and not with a comms one', async () => {
    const sessionOf = async (role: 'admin' | 'comms') => {
      const email = `${role}-${t.deps.queueNamePrefix}@acme.example`;
      const password = 'correct horse battery';
      const user = await t.app.inject({
        method: 'POST',
        url: '/v1/users',
        headers: auth,
        payload: { email, name: role, role, password },
      });
      expect(user.statusCode).toBe(201);
      const login = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password },
      });
      const cookie = login.cookies.find((c) => c.name === 'candor_session')!;
      return { cookie: `candor_session=${cookie.value}` };
    };
    const admin = await sessionOf('admin');
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: admin })).statusCode,
    ).toBe(200);
    const comms = await sessionOf('comms');
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues', headers: comms })).statusCode).toBe(
      403,
    );
  });
});
