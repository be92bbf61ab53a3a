import { count, eq } from 'drizzle-orm';
import { importCustomers } from '../audience/customers.js';
import { createApiKey } from '../auth/api-keys.js';
import { createUser } from '../auth/users.js';
import type { Config } from '../config.js';
import type { AppDeps } from '../deps.js';
import { customers, settings, users } from './schema.js';
import { demoCustomers } from './seed-data.js';

const DEMO_KEY_SETTING = 'demo_api_key';

export const demoUsers = [
  { email: 'admin@acme.example', name: 'Jordan Admin', role: 'admin', password: 'candor-demo-admin' },
  { email: 'sam@acme.example', name: 'Sam Lee', role: 'comms', password: 'candor-demo-comms' },
  {
    email: 'alex@acme.example',
    name: 'Alex Rivera',
    role: 'executive',
    password: 'candor-demo-exec',
    sender: {
      name: 'Alex Rivera',
      email: 'alex@acme.example',
      // The letter closes with the signature line, the name, then "title, company": no company here.
      title: 'CEO',
      signature: 'With apologies,',
    },
  },
] as const;

export interface DemoWorkspace {
  seededNow: boolean;
  customers: number;
  users: typeof demoUsers;
  /** The demo key, kept so every start can print it: a demo convenience, not how real keys are kept. */
  apiKey: string | null;
}

/**
 * Seeds the fictional Acme workspace into an empty database (no users, no customers), once. Later
 * starts find it and only report it, so restarting never duplicates or resets anything.
 */
export async function seedDemoWorkspace(
  deps: Pick<AppDeps, 'database' | 'config' | 'logger'>,
): Promise<DemoWorkspace> {
  const { db } = deps.database;
  const [stored] = await db.select().from(settings).where(eq(settings.key, DEMO_KEY_SETTING));
  const [{ value: customerCount } = { value: 0 }] = await db.select({ value: count() }).from(customers);
  if (stored || customerCount > 0) {
    return { seededNow: false, customers: customerCount, users: demoUsers, apiKey: stored?.value ?? null };
  }
  const [{ value: userCount } = { value: 0 }] = await db.select({ value: count() }).from(users);
  if (userCount > 0 && !deps.config.bootstrap.adminEmail) {
    return { seededNow: false, customers: 0, users: demoUsers, apiKey: null };
  }

  for (const user of demoUsers) {
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, user.email));
    if (existing) continue;
    await createUser(
      db,
      { ...user, sender: 'sender' in user ? { ...user.sender } : undefined },
      {
        senderDomains: [...new Set([...deps.config.senderDomains, 'acme.example'])],
        actor: 'seed',
      },
    );
  }
  const imported = await importCustomers(db, demoCustomers());
  const { key } = await createApiKey(db, {
    name: 'demo',
    scopes: ['events:write', 'audience:write', 'read', 'inbound:write'],
    actor: 'seed',
  });
  await db.insert(settings).values({ key: DEMO_KEY_SETTING, value: key }).onConflictDoNothing();
  deps.logger.info({ customers: imported.created }, 'seeded the demo workspace');
  return { seededNow: true, customers: imported.created, users: demoUsers, apiKey: key };
}

/** The curl a new user can paste to see the whole pipeline work. */
export function demoCurl(url: string, apiKey: string): string {
  const event = {
    id: `evt_demo_${Date.now()}`,
    type: 'incident.investigating',
    occurred_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    incident: {
      ref: 'db-freeze-demo',
      title: 'Errors loading the help desk',
      severity: 'major',
      components: ['helpdesk', 'api'],
      regions: ['us'],
    },
    message: 'Some customers in the US see errors loading the help desk. We are investigating.',
  };
  return [
    `curl -sS -X POST ${url}/v1/events \\`,
    `  -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify(event)}'`,
  ].join('\n');
}

export function printBanner(options: { config: Config; url: string; demo: DemoWorkspace | null }): void {
  const { config, demo } = options;
  const url = options.url.replace('://127.0.0.1', '://localhost');
  const lines = ['', `Candor is running at ${url}   (staff UI: open it in a browser; API docs: ${url}/docs)`];
  lines.push(`  database: ${config.databaseUrl ? 'PostgreSQL' : `embedded, in ${config.dataDir}/pglite`}`);
  lines.push(
    `  transport: ${config.transport}${config.transport === 'outbox' ? ' (nothing leaves this machine)' : ''}`,
  );
  if (demo) {
    lines.push(
      demo.seededNow
        ? `  demo workspace seeded: Acme with ${demo.customers} customers`
        : `  demo workspace: Acme (${demo.customers} customers)`,
    );
    for (const user of demo.users) lines.push(`  ${user.role.padEnd(10)} ${user.email} / ${user.password}`);
    if (demo.apiKey) {
      lines.push(`  API key    ${demo.apiKey}`);
      lines.push(
        '',
        `Post an incident event (notices wait ${config.noticeHoldSeconds}s; start with CANDOR_NOTICE_HOLD_SECONDS=0 to send at once):`,
      );
      lines.push(demoCurl(url, demo.apiKey));
      lines.push('', `Then watch: curl -sS ${url}/v1/messages -H 'authorization: Bearer ${demo.apiKey}'`);
    } else {
      lines.push(
        '  API key: create one with  npm run cli -- api-key create --name me --scopes events:write,read',
      );
    }
  }
  lines.push('');
  console.log(lines.join('\n'));
}
