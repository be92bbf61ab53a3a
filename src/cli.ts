import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from './auth/api-keys.js';
import { scopes } from './auth/principal.js';
import { createUserBodySchema } from './auth/schemas.js';
import { createUser, listUsers } from './auth/users.js';
import { ConfigError, loadConfig } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { HttpError } from './http/errors.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  api-key create --name <name> --scopes <scope,...>
      Creates an API key and prints it once. Scopes: ${scopes.join(', ')}.
  api-key list [--limit <n>] [--json]
  api-key revoke <id>
  user create --email <email> --name <name> --role <admin|comms|executive>
              (--password <password> | --password-stdin)
              [--sender-name <name> --sender-email <email> --sender-title <title>]
      Executives may carry a sender identity on an allowed sending domain.
  user list [--limit <n>] [--json]

Uses DATABASE_URL when set, otherwise the embedded database in CANDOR_DATA_DIR (default ./data).
Add --force to open an embedded database that looks in use (only after a crash left a stale lock).`;

/** Actor recorded in the audit log for changes made here. */
const ACTOR = 'cli';

class UsageError extends Error {}
/** A failure that usage text would not help with. */
class CliError extends Error {}

const options = {
  name: { type: 'string' },
  scopes: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'sender-name': { type: 'string' },
  'sender-email': { type: 'string' },
  'sender-title': { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function required(values: Values, name: 'name' | 'scopes' | 'email' | 'role'): string {
  const value = values[name];
  if (!value) throw new UsageError(`--${name} is required.`);
  return value;
}

function limitOf(values: Values): number {
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be 1..500.');
  return limit;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join('.') || '(input)'}: ${issue.message}`).join('\n');
}

/**
 * PGlite does not lock its directory, and two processes writing it would corrupt it; its
 * `postmaster.pid` exists only while a process has the database open (or after a crash).
 */
async function open(values: Values): Promise<Database> {
  const config = loadConfig();
  if (config.databaseUrl) return openDatabase({ databaseUrl: config.databaseUrl, maxConnections: 2 });
  const dir = path.join(config.dataDir, 'pglite');
  if (existsSync(path.join(dir, 'postmaster.pid')) && !values.force) {
    throw new CliError(
      `The embedded database in ${dir} is in use, most likely by a running Candor server, and only one\n` +
        'process may open it. Stop the server first, or use the API while it runs, e.g.\n' +
        '  curl -X POST -H "Authorization: Bearer $CANDOR_BOOTSTRAP_API_KEY" -H "content-type: application/json" \\\n' +
        `    -d '{"name":"monitor","scopes":["events:write"]}' ${config.publicUrl}/v1/api-keys\n` +
        'If no server is running (it crashed), run again with --force.',
    );
  }
  return openDatabase({ pgliteDir: dir });
}

async function apiKeyCommand(
  sub: string | undefined,
  args: string[],
  values: Values,
  database: () => Promise<Database>,
) {
  switch (sub) {
    case 'create': {
      const name = required(values, 'name');
      const requested = required(values, 'scopes')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const parsed = z.array(z.enum(scopes)).min(1).safeParse(requested);
      if (!parsed.success) {
        const unknown = requested.filter((s) => !(scopes as readonly string[]).includes(s));
        throw new UsageError(
          `Unknown scope(s) ${unknown.join(', ') || '(none given)'}; allowed: ${scopes.join(', ')}.`,
        );
      }
      const db = (await database()).db;
      const { row, key } = await createApiKey(db, { name, scopes: parsed.data, actor: ACTOR });
      console.log(`Created API key ${row.id} "${row.name}" with scopes ${row.scopes.join(', ')}.`);
      console.log('\nThis is the only time the key is shown; store it now:\n');
      console.log(`  ${key}\n`);
      return;
    }
    case 'list': {
      const page = await listApiKeys((await database()).db, { limit: limitOf(values) });
      if (values.json) return console.log(JSON.stringify(page, null, 2));
      if (page.data.length === 0) return console.log('No API keys.');
      for (const k of page.data) {
        const state = k.revoked_at ? `revoked ${k.revoked_at}` : `last used ${k.last_used_at ?? 'never'}`;
        console.log(`${k.id}  ${k.prefix}…  ${k.name}  [${k.scopes.join(',')}]  ${state}`);
      }
      return;
    }
    case 'revoke': {
      const id = args[0];
      if (!id) throw new UsageError('api-key revoke needs the key id (see `api-key list`).');
      await revokeApiKey((await database()).db, id, ACTOR);
      console.log(`Revoked API key ${id}.`);
      return;
    }
    default:
      throw new UsageError(`Unknown api-key command ${JSON.stringify(sub ?? '')}.`);
  }
}

async function userCommand(sub: string | undefined, values: Values, database: () => Promise<Database>) {
  switch (sub) {
    case 'create': {
      if (values.password && values['password-stdin'])
        throw new UsageError('Use --password or --password-stdin, not both.');
      // stdin keeps the password out of shell history and the process list.
      const password = values['password-stdin']
        ? readFileSync(0, 'utf8').replace(/\r?\n$/, '')
        : values.password;
      if (!password) throw new UsageError('--password or --password-stdin is required.');
      const hasSender = values['sender-name'] || values['sender-email'] || values['sender-title'];
      const parsed = createUserBodySchema.safeParse({
        email: required(values, 'email'),
        name: required(values, 'name'),
        role: required(values, 'role'),
        password,
        sender: hasSender
          ? { name: values['sender-name'], email: values['sender-email'], title: values['sender-title'] }
          : undefined,
      });
      if (!parsed.success) throw new UsageError(`Invalid user:\n${describeIssues(parsed.error)}`);
      const config = loadConfig();
      const row = await createUser((await database()).db, parsed.data, {
        senderDomains: config.senderDomains,
        actor: ACTOR,
      });
      console.log(`Created ${row.role} ${row.email} (${row.id}).`);
      return;
    }
    case 'list': {
      const page = await listUsers((await database()).db, { limit: limitOf(values) });
      if (values.json) return console.log(JSON.stringify(page, null, 2));
      if (page.data.length === 0) return console.log('No users.');
      for (const u of page.data) console.log(`${u.id}  ${u.email}  ${u.name}  ${u.role}`);
      return;
    }
    default:
      throw new UsageError(`Unknown user command ${JSON.stringify(sub ?? '')}.`);
  }
}

export async function main(argv: string[]): Promise<number> {
  let database: Database | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const [group, sub, ...rest] = positionals;
    if (values.help || !group) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const lazyDb = async () => {
      database ??= await open(values);
      return database;
    };
    if (group === 'api-key') await apiKeyCommand(sub, rest, values, lazyDb);
    else if (group === 'user') await userCommand(sub, values, lazyDb);
    else throw new UsageError(`Unknown command ${JSON.stringify(group)}.`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof HttpError || error instanceof CliError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database?.close();
  }
}

// Only when run as a program, so tests can import `main`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
