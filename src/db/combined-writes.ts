import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { selectPreparedRows } from './prepared.js';

/**
 * `with <leading>, w0 as (…), w1 as (…) <select>`: data-modifying statements (INSERT, UPDATE, DELETE, no
 * WITH of their own) as one, after any named parts of the caller's own (`created as (…)`), which they
 * may refer to.
 *
 * The statements share one snapshot, so none may read what another writes, and no two may touch the
 * same row. Constraints are checked at the end of the whole statement, so a row may reference one a
 * sibling inserts (a version its communication).
 */
export function withWrites(statements: readonly SQL[], select: SQL, leading: readonly SQL[] = []): SQL {
  const parts = [...leading, ...statements.map((statement, i) => sql`${sql.raw(`w${i}`)} as (${statement})`)];
  return sql`with ${sql.join(parts, sql.raw(', '))} ${select}`;
}

/**
 * Runs data-modifying statements as one ({@link withWrites}). Why: each statement is a round trip, and on
 * a loopback socket the write that sends it costs the caller more CPU than most of these statements cost
 * PostgreSQL; an event's trailing writes (its window, its notices and their versions, its stored answer)
 * went from four round trips to one. The combined text takes one of a few shapes whatever the values, so
 * it runs prepared ({@link selectPreparedRows}).
 */
export async function executeWrites(db: Db, statements: readonly SQL[]): Promise<void> {
  if (statements.length === 0) return;
  await selectPreparedRows(
    db,
    statements.length === 1 ? statements[0]! : withWrites(statements, sql`select 1`),
  );
}
