import { hash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './client.js';

/**
 * The name a statement is prepared under on PostgreSQL: a hash of its text. Two texts never share a
 * name, which node-postgres refuses per connection, so a call site whose SQL varies with its input only
 * prepares one statement per variant; the call sites that use this build a text that does not.
 */
export const statementName = (text: string): string => `candor_${hash('sha1', text, 'base64url')}`;

/**
 * A query builder's rows, run as a named prepared statement. Why: PostgreSQL parses and plans an
 * unnamed statement on every execution, and the send path's statements run once a batch (~100 times a
 * second per worker at full speed). Prepared, each is planned a few times per connection and then
 * runs a generic plan: planning had cost 0.1–0.25 ms a statement, ~6 µs of PostgreSQL CPU an e-mail.
 * PGlite ignores the name (one connection, nothing to gain).
 *
 * Behind PgBouncer in transaction mode this needs `max_prepared_statements` (PgBouncer 1.21 or later).
 */
export function executePrepared<R>(query: {
  toSQL(): { sql: string };
  prepare(name: string): { execute(): Promise<R> };
}): Promise<R> {
  return query.prepare(statementName(query.toSQL().sql)).execute();
}

const dialect = new PgDialect();

/** {@link executePrepared} for raw SQL: the driver's result, as `db.execute` answers it (`{ rows }`). */
export function executePreparedSql(db: Db, query: SQL): Promise<unknown> {
  const built = dialect.sqlToQuery(query);
  return db._.session.prepareQuery(built, undefined, statementName(built.sql), false).execute();
}
