import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';

const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

describe.each(drivers)('cli (%s)', (driver) => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'candor-cli-'));
    const { DATABASE_URL: _server, ...base } = process.env;
    env = {
      ...base,
      NODE_ENV: 'test',
      CANDOR_DATA_DIR: dataDir,
      CANDOR_FROM: 'Status <status@acme.example>',
    };
    if (driver === 'postgres') {
      database = await openTestDatabase('postgres');
      env.DATABASE_URL = database.url;
    }
  });
  afterAll(async () => {
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  // Each call is a process of its own that starts tsx and opens the database: 7–14 s apiece on the
  // slowest machine measured, under a full test run's load, so four in a row passed the 30 s default.
  const slow = { timeout: 120_000 };

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(tsx, ['src/cli.ts', ...args], { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('creates, lists and revokes an API key', slow, async () => {
    const created = await cli('api-key', 'create', '--name', 'smoke', '--scopes', 'events:write,read');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('only time the key is shown');
    const key = created.stdout.match(/cnd_[A-Za-z0-9_-]+/)?.[0];
    const id = created.stdout.match(/key_[0-9a-z]+/)?.[0];
    expect(key).toBeDefined();

    const listed = await cli('api-key', 'list', '--json');
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout);
    expect(page.data).toEqual([
      expect.objectContaining({
        id,
        name: 'smoke',
        prefix: key!.slice(0, 12),
        scopes: ['events:write', 'read'],
      }),
    ]);
    expect(listed.stdout).not.toContain(key);
    if (database) {
      const row = await database.db.query.apiKeys.findFirst({ where: (k, { eq }) => eq(k.id, id!) });
      expect(row?.keyHash).toBe(hashApiKey(key!));
    }

    const revoked = await cli('api-key', 'revoke', id!);
    expect(revoked.code).toBe(0);
    const after = JSON.parse((await cli('api-key', 'list', '--json')).stdout);
    expect(after.data[0].revoked_at).not.toBeNull();
  });

  it('exits non-zero with usage on bad arguments', slow, async () => {
    const unknownScope = await cli('api-key', 'create', '--name', 'x', '--scopes', 'root');
    expect(unknownScope.code).toBe(2);
    expect(unknownScope.stderr).toContain('Unknown scope(s) root');
    expect(unknownScope.stderr).toContain('Usage:');
    const missing = await cli('user', 'create', '--email', 'a@acme.example');
    expect(missing.code).toBe(2);
    expect((await cli('nonsense')).code).toBe(2);
  });

  it.runIf(driver === 'pglite')('refuses an embedded database another process holds', slow, async () => {
    // PGlite keeps postmaster.pid only while a process has the directory open.
    const lock = path.join(dataDir, 'pglite', 'postmaster.pid');
    await writeFile(lock, '-42\n');
    try {
      const busy = await cli('api-key', 'list');
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain('in use');
      expect(busy.stderr).toContain('/v1/api-keys');
    } finally {
      await rm(lock, { force: true });
    }
    expect((await cli('api-key', 'list')).code).toBe(0);
  });
});
