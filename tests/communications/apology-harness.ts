import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createUser } from '../../src/auth/users.js';
import { communications, communicationVersions } from '../../src/db/schema.js';
import type { OutgoingEmail, Transport } from '../../src/delivery/transports/transport.js';
import type { Driver } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from '../support/fixtures.js';

export const PASSWORD = 'correct horse battery staple';

/** A signed-in staff member: what to send with each request. */
export interface Session {
  userId: string;
  email: string;
  headers: Record<string, string>;
}

export interface ApologyHarness {
  deps: TestDeps;
  app: FastifyInstance;
  /** Alex Rivera, CEO: the sender. */
  alex: Session;
  /** Another executive, not the sender. */
  blake: Session;
  comms: Session;
  admin: Session;
  incidentId: string;
  close(): Promise<void>;
}

export async function login(app: FastifyInstance, userId: string, email: string): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email, password: PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'candor_session');
  return {
    userId,
    email,
    headers: { cookie: `candor_session=${cookie!.value}`, 'x-csrf-token': res.json().csrf_token },
  };
}

/**
 * The real app with four staff users signed in and one resolved incident (14:00–14:07 UTC) affecting the
 * seeded audience. Notices are held for 10 minutes so none go out on their own.
 */
export async function startApologyHarness(
  driver: Driver,
  options: { env?: Record<string, string>; transport?: Transport } = {},
): Promise<ApologyHarness> {
  const deps = await createTestDeps(driver, {
    env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, CANDOR_NOTICE_HOLD_SECONDS: '600', ...options.env },
    ...(options.transport ? { transport: options.transport } : {}),
  });
  const app = await buildApp(deps);
  await seedAudience(app);
  // Login attempts are rate-limited per e-mail in the shared Redis: fresh addresses per run.
  const run = randomBytes(4).toString('hex');
  const db = deps.database.db;
  const make = async (
    name: string,
    role: 'executive' | 'comms' | 'admin',
    sender?: { name: string; email: string; title: string; signature?: string },
  ) => {
    const email = `${name}-${run}@staff.acme.example`;
    const user = await createUser(
      db,
      { email, name, role, password: PASSWORD, ...(sender ? { sender } : {}) },
      { senderDomains: deps.config.senderDomains, actor: 'system' },
    );
    return login(app, user.id, email);
  };
  const alex = await make('alex', 'executive', {
    name: 'Alex Rivera',
    email: 'alex@acme.example',
    title: 'CEO',
    signature: 'With apologies,',
  });
  const blake = await make('blake', 'executive', {
    name: 'Blake Chen',
    email: 'blake@acme.example',
    title: 'CTO',
  });
  const comms = await make('casey', 'comms');
  const admin = await make('dana', 'admin');

  const ref = `db-freeze-${run}`;
  const opened = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: incidentEvent({ incident: { ref }, occurred_at: '2017-05-15T14:00:00Z' }),
  });
  if (opened.statusCode !== 202) throw new Error(`event failed: ${opened.body}`);
  const resolved = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: incidentEvent({
      type: 'incident.resolved',
      incident: { ref },
      occurred_at: '2017-05-15T14:07:00Z',
      message: 'The help desk works again.',
    }),
  });
  if (resolved.statusCode !== 202) throw new Error(`event failed: ${resolved.body}`);
  return {
    deps,
    app,
    alex,
    blake,
    comms,
    admin,
    incidentId: opened.json().incident_id,
    close: async () => {
      await app.close();
      await deps.close();
    },
  };
}

/** `app.inject` as someone: a session or the bootstrap key. */
export function as(app: FastifyInstance, who: Session | 'key') {
  return (
    options: Omit<InjectOptions, 'headers'> & { headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      ...options,
      headers: { ...(who === 'key' ? auth : who.headers), ...options.headers },
    } as InjectOptions);
}

/** Drafts an apology from the facts as comms staff and returns its JSON. */
export async function draftApology(h: ApologyHarness, segment = 'affected-enterprise') {
  const res = await as(
    h.app,
    h.comms,
  )({
    method: 'POST',
    url: `/v1/incidents/${h.incidentId}/communications`,
    payload: { kind: 'apology', segment, sender: h.alex.userId },
  });
  if (res.statusCode !== 201) throw new Error(`draft failed: ${res.statusCode} ${res.body}`);
  return res.json() as {
    id: string;
    status: string;
    current_version: { version: number; body: string; subject: string };
  };
}

export { BOOTSTRAP_KEY };

/** Keeps approval requests instead of sending them. */
export class CapturingTransport implements Transport {
  readonly name = 'outbox' as const;
  readonly sent: OutgoingEmail[] = [];
  async sendBatch(emails: OutgoingEmail[]) {
    this.sent.push(...emails);
    return emails.map((e) => ({
      messageId: e.messageId,
      ok: true as const,
      providerId: `cap:${e.messageId}`,
    }));
  }
  async close() {}
}

/** The path of the approval link in an approval-request e-mail. */
export const linkIn = (email: OutgoingEmail) => {
  const match = /http:\/\/localhost:3000(\/v1\/approvals\/[^"\s<)]+)/.exec(email.text);
  if (!match) throw new Error(`no approval link in ${email.text}`);
  return match[1]!;
};

export async function versionRow(h: ApologyHarness, id: string, version: number) {
  const [row] = await h.deps.database.db
    .select()
    .from(communicationVersions)
    .where(and(eq(communicationVersions.communicationId, id), eq(communicationVersions.version, version)));
  return row!;
}

export async function communicationRow(h: ApologyHarness, id: string) {
  return (await h.deps.database.db.select().from(communications).where(eq(communications.id, id)))[0]!;
}
