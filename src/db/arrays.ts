import { type Column, type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';

/**
 * A list as one `text[]` parameter. Drizzle spreads a plain array into one placeholder per element, and
 * building (and binding) a statement with thousands of placeholders cost the send path more CPU than
 * the statement itself; one array parameter keeps the SQL text the same whatever the list's length.
 */
export const textArray = (values: readonly (string | null)[]): SQL => sql`${sql.param(values)}::text[]`;

/**
 * Rows as one `jsonb` parameter, for `jsonb_to_recordset(…) as r(column type, …)` (dates become ISO
 * strings, which `timestamptz` columns read back exactly). Drizzle spends ~4 µs building each parameter
 * of a statement, so a hot insert of a dozen columns written with its insert builder, or with one
 * array per column, paid ~100 µs on every request; one JSON parameter costs ~3 µs.
 */
export const jsonRecords = (rows: readonly Record<string, unknown>[]): SQL =>
  sql`${JSON.stringify(rows)}::jsonb`;

/** `column = any($1::text[])`: membership in a list passed as one parameter. */
export const inTextArray = (column: Column | SQL, values: readonly string[]): SQL =>
  sql`${column} = any(${textArray(values)})`;

/** Rows of a raw `db.execute`: both drivers (node-postgres and PGlite) answer `{ rows }`. */
export async function selectRows<T>(db: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (result as unknown as { rows: T[] }).rows;
}
