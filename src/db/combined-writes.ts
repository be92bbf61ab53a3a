import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';

/** Data-modifying statements as the named parts of a WITH (`w0 as (…)`, …), for {@link executeWrites}. */
export const writeCtes = (statements: readonly SQL[]): SQL[] =>
  statements.map((statement, i) => sql`${sql.raw(`w${i}`)} as (${statement})`);

/**
 * Runs data-modifying statements (INSERT, UPDATE, DELETE, no WITH of their own) as one:
 * `with w0 as (…), w1 as (…) select 1`. Why: each statement is a round trip, and on a loopback socket
 * the write that sends it costs the caller more CPU than most of these statements cost PostgreSQL;
 * an event's trailing writes (its window, its notices and their versions, its stored answer) went from
 * four round trips to one.
 *
 * The statements share one snapshot, so none may read what another writes, and no two may touch the
 * same row. Constraints are checked at the end of the whole statement, so a row may reference one a
 * sibling inserts (a version its communication).
 */
export async function executeWrites(db: Pick<Db, 'execute'>, statements: readonly SQL[]): Promise<void> {
  if (statements.length === 0) return;
  if (statements.length === 1) {
    await db.execute(statements[0]!);
    return;
  }
  await db.execute(sql`with ${sql.join(writeCtes(statements), sql.raw(', '))} select 1`);
}
