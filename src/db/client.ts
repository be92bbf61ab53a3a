import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.js';

/** One type for both drivers: services never know whether they run on PGlite or PostgreSQL. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Cheap round trip for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface DatabaseOptions {
  /** PostgreSQL connection string; when set PGlite is not used. */
  databaseUrl?: string | undefined;
  /** Folder for the embedded database; `undefined` with no `databaseUrl` means in memory (tests). */
  pgliteDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

/** Any constant shared by every Candor process: the key of the advisory lock around migrations. */
const MIGRATION_LOCK_KEY = 7_243_501;

/**
 * Replicas starting together (an API and two workers on a fresh database) would otherwise all see an
 * empty migrations table and race to create the same tables; the loser crashes. A session-level
 * advisory lock makes them take turns, and the later ones find nothing left to do.
 */
async function migrateExclusively(pool: pg.Pool, migrate: () => Promise<void>): Promise<void> {
  const lock = await pool.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrate();
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    lock.release();
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const shouldMigrate = options.migrate ?? true;
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      // PostgreSQL compiles a query with LLVM once its estimated cost passes `jit_above_cost`. The
      // audience count's estimate (a suppression probe per contact) passes it at any size, and for
      // 100,000 contacts compiling took ~300 of its ~320 ms, on every count; no Candor query runs long
      // enough to win that back. `options` in the connection string, if any, replaces this.
      options: '-c jit=off',
    });
    // An idle client losing its server (PostgreSQL restart) must not crash the process.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema });
    if (shouldMigrate) await migrateExclusively(pool, () => migratePg(db, { migrationsFolder }));
    return {
      db: db as unknown as Db,
      driver: 'postgres',
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }
  if (options.pgliteDir) await mkdir(options.pgliteDir, { recursive: true });
  // Loaded only when used: importing PGlite costs a process on PostgreSQL ~23 MB of RSS.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const client = new PGlite(options.pgliteDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  if (shouldMigrate) await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}
