import { type Column, is, Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';

/** A list, or a `sql.placeholder` for one that a prepared statement binds when it runs. */
export type TextList = readonly (string | null)[] | Placeholder;

/**
 * A list as one `text[]` parameter. Drizzle spreads a plain array into one placeholder per element, and
 * building (and binding) a statement with thousands of placeholders cost the send path more CPU than
 * the statement itself; one array parameter keeps the SQL text the same whatever the list's length.
 */
export const textArray = (values: TextList): SQL =>
  is(values, Placeholder) ? sql`${values}::text[]` : sql`${sql.param(values)}::text[]`;

/** `column = any($1::text[])`: membership in a list passed as one parameter. */
export const inTextArray = (column: Column | SQL, values: TextList): SQL =>
  sql`${column} = any(${textArray(values)})`;

/** Rows of a raw `db.execute`: both drivers (node-postgres and PGlite) answer `{ rows }`. */
export async function selectRows<T>(db: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (result as unknown as { rows: T[] }).rows;
}
