import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/client.js';

export type Driver = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it). */
export const drivers: Driver[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  /** Connection string of the throwaway PostgreSQL database, for child processes. */
  url?: string;
}

/**
 * A fresh, migrated database on the PostgreSQL server of `serverUrl`, dropped again by `close()`; the
 * benchmarks use it too, so neither tests nor benchmarks ever touch real data or leave anything behind.
 */
export async function throwawayPostgres(
  serverUrl: string,
  options: { prefix?: string; maxConnections?: number } = {},
): Promise<Database & { url: string }> {
  const name = `${options.prefix ?? 'candor_t'}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({
    databaseUrl: url.toString(),
    maxConnections: options.maxConnections ?? 5,
  });
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      const cleaner = new pg.Client({ connectionString: serverUrl });
      await cleaner.connect();
      await cleaner.query(`drop database if exists ${name} with (force)`);
      await cleaner.end();
    },
  };
}

/** A fresh, migrated database: in-memory PGlite, or a throwaway PostgreSQL database (see above). */
export async function openTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === 'pglite') return openDatabase({});
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  return throwawayPostgres(serverUrl);
}
