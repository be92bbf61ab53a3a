import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBootstrapAdmin } from '../../src/auth/bootstrap.js';
import { auditLog, sessions } from '../../src/db/schema.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { buildTestApp } from './helpers.js';

const BOOTSTRAP = 'bootstrap-key-for-tests-0123456789';
const admin = { authorization: `Bearer ${BOOTSTRAP}` };
const PASSWORD = 'correct horse battery';

function cookieOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'candor_session');
  if (!cookie) throw new Error('no session cookie');
  return `candor_session=${cookie.value}`;
}

describe.each(drivers)('users and sessions (%s)', (driver) => {
  // Redis is shared and counts login attempts per e-mail; fresh addresses per block keep runs independent.
  const run = randomBytes(4).toString('hex');
  const emailFor = (name: string) => `${name}-${run}@acme.example`;
  let deps: TestDeps;
  let app: FastifyInstance;

  beforeAll(async () => {
    deps = await createTestDeps(driver, {
      env: {
        CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP,
        CANDOR_FROM: 'Acme Status <status@acme.example>',
        CANDOR_BOOTSTRAP_ADMIN_EMAIL: emailFor('root'),
        CANDOR_BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap-password',
      },
    });
    app = await buildTestApp(deps);
  });
  afterAll(async () => {
    await app?.close();
    await deps?.close();
  });

  async function createUser(body: Record<string, unknown>) {
    return app.inject({ method: 'POST', url: '/v1/users', headers: admin, payload: body });
  }

  async function login(email: string, password = PASSWORD) {
    return app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  }

  it('creates users without exposing password hashes, and lists them', async () => {
    const res = await createUser({
      email: emailFor('Comms'),
      name: 'Casey',
      role: 'comms',
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({ email: emailFor('comms'), name: 'Casey', role: 'comms', sender: null });
    expect(user.id).toMatch(/^usr_/);
    expect(JSON.stringify(user)).not.toMatch(/scrypt|password/);

    const list = await app.inject({ method: 'GET', url: '/v1/users?limit=500', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((u: { id: string }) => u.id)).toContain(user.id);
    expect(list.body).not.toContain('scrypt$');
    const audit = await deps.database.db.select().from(auditLog);
    expect(audit).toContainEqual(expect.objectContaining({ action: 'user.create', subjectId: user.id }));
  });

  it('answers 409 for a duplicate e-mail, whatever its case', async () => {
    const body = { email: emailFor('dup'), name: 'D', role: 'comms', password: PASSWORD };
    expect((await createUser(body)).statusCode).toBe(201);
    const again = await createUser({ ...body, email: emailFor('dup').toUpperCase() });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('email_taken');
  });

  it('gives only executives a sender, on an allowed domain', async () => {
    const sender = { name: 'Alex Chen', email: 'alex@acme.example', title: 'CEO' };
    const exec = await createUser({
      email: emailFor('ceo'),
      name: 'Alex',
      role: 'executive',
      password: PASSWORD,
      sender,
    });
    expect(exec.statusCode).toBe(201);
    expect(exec.json().sender).toEqual(sender);

    const comms = await createUser({
      email: emailFor('c2'),
      name: 'C',
      role: 'comms',
      password: PASSWORD,
      sender,
    });
    expect(comms.statusCode).toBe(422);
    expect(comms.json().error.code).toBe('sender_not_allowed');

    const foreign = await createUser({
      email: emailFor('ceo2'),
      name: 'Alex',
      role: 'executive',
      password: PASSWORD,
      sender: { ...sender, email: 'alex@gmail.com' },
    });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().error).toMatchObject({ code: 'sender_domain_not_allowed' });
    expect(foreign.json().error.message).toContain('acme.example');
  });

  it('rejects line breaks in header-bound names and short passwords with 400', async () => {
    const crlf = await createUser({
      email: emailFor('x'),
      name: 'Eve\r\nBcc: victim@example.com',
      role: 'comms',
      password: PASSWORD,
    });
    expect(crlf.statusCode).toBe(400);
    expect(crlf.json().error.details).toContainEqual(expect.objectContaining({ path: 'name' }));
    const short = await createUser({ email: emailFor('y'), name: 'Y', role: 'comms', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details).toContainEqual(expect.objectContaining({ path: 'password' }));
  });

  it('logs in, answers the session, requires CSRF for session writes, and logs out', async () => {
    const email = emailFor('admin2');
    expect((await createUser({ email, name: 'Ada', role: 'admin', password: PASSWORD })).statusCode).toBe(
      201,
    );
    const res = await login(email.toUpperCase());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ email, role: 'admin', name: 'Ada' });
    expect(body.csrf_token).toEqual(expect.any(String));
    const setCookie = res.cookies.find((c) => c.name === 'candor_session')!;
    expect(setCookie.httpOnly).toBe(true);
    expect(setCookie.sameSite).toBe('Lax');
    const cookie = cookieOf(res);

    const session = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.json().user.id).toBe(body.user.id);

    // Reads with a session need no token.
    const read = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie } });
    expect(read.statusCode).toBe(200);

    const payload = { name: 'from-ui', scopes: ['read'] };
    const noToken = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie }, payload });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf_invalid');
    const badToken = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie, 'x-csrf-token': 'nope' },
      payload,
    });
    expect(badToken.json().error.code).toBe('csrf_invalid');
    const withToken = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie, 'x-csrf-token': body.csrf_token },
      payload,
    });
    expect(withToken.statusCode).toBe(201);
    expect(withToken.json().created_by).toBe(`user:${body.user.id}`);

    const logout = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    const gone = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(gone.statusCode).toBe(401);
    const writeAfter = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie, 'x-csrf-token': body.csrf_token },
      payload,
    });
    expect(writeAfter.statusCode).toBe(401);
  });

  it('keeps sessions in the database and issues a new id at login', async () => {
    const email = emailFor('fixation');
    await createUser({ email, name: 'F', role: 'executive', password: PASSWORD });
    const first = await login(email);
    const second = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { cookie: cookieOf(first) },
      payload: { email, password: PASSWORD },
    });
    expect(cookieOf(second)).not.toBe(cookieOf(first));
    const stale = await app.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { cookie: cookieOf(first) },
    });
    expect(stale.statusCode).toBe(401);

    // A second app on the same database (another replica, or after a restart) knows the session.
    const other = await buildTestApp(deps);
    try {
      const res = await other.inject({
        method: 'GET',
        url: '/v1/auth/session',
        headers: { cookie: cookieOf(second) },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.email).toBe(email);
    } finally {
      await other.close();
    }
    const rows = await deps.database.db.select().from(sessions);
    expect(rows.some((r) => r.userId === second.json().user.id)).toBe(true);
  });

  it('enforces roles: an executive session cannot use admin routes', async () => {
    const email = emailFor('exec');
    await createUser({ email, name: 'E', role: 'executive', password: PASSWORD });
    const cookie = cookieOf(await login(email));
    const res = await app.inject({ method: 'GET', url: '/v1/users', headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('admin');
  });

  it('answers a wrong password and an unknown e-mail with the same 401', async () => {
    const email = emailFor('wrongpw');
    await createUser({ email, name: 'W', role: 'comms', password: PASSWORD });
    const wrong = await login(email, 'not the password');
    const unknown = await login(emailFor('nobody'), 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.cookies.find((c) => c.name === 'candor_session')).toBeUndefined();
    const noSession = await app.inject({ method: 'GET', url: '/v1/auth/session' });
    expect(noSession.statusCode).toBe(401);
  });

  it('rate-limits logins per IP and e-mail with 429 and retry-after', async () => {
    const email = emailFor('brute');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(email, `guess-${i}`)).statusCode);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const limited = await login(email, PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another e-mail from the same address is counted separately.
    expect((await login(emailFor('other-brute'), 'x')).statusCode).toBe(401);
  });

  it('creates the bootstrap admin once, and it can log in', async () => {
    await ensureBootstrapAdmin(deps);
    await ensureBootstrapAdmin(deps);
    const admins = await deps.database.db.query.users.findMany({
      where: (u, { eq }) => eq(u.email, emailFor('root')),
    });
    expect(admins).toHaveLength(1);
    expect(admins[0]?.role).toBe('admin');
    expect((await login(emailFor('root'), 'bootstrap-password')).statusCode).toBe(200);
  });
});
