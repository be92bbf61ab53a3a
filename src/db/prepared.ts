import { hash } from 'node:crypto';
import type { Query, SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './client.js';

/**
 * The name a statement is prepared under on PostgreSQL: a hash of its text. Two texts never share a
 * name, which node-postgres refuses per connection.
 */
export const statementName = (text: string): string => `candor_${hash('sha1', text, 'base64url')}`;

interface Preparable<P> {
  toSQL(): { sql: string };
  prepare(name: string): P;
}

/**
 * A statement of the send path, built once per database handle with `sql.placeholder`s for its values
 * and run as a named prepared statement. Why, twice over: PostgreSQL parses and plans an unnamed
 * statement on every execution (0.1–0.25 ms for these, once a batch: ~6 µs of PostgreSQL CPU an
 * e-mail), while a prepared one is planned a few times per connection and then runs its generic plan;
 * and drizzle spent more of the worker's CPU building these statements than sending them. PGlite
 * ignores the name.
 *
 * Behind PgBouncer in transaction mode this needs `max_prepared_statements` (PgBouncer 1.21 or later).
 */
export function preparedStatement<P>(build: (db: Db) => Preparable<P>): (db: Db) => P {
  const built = new WeakMap<Db, P>();
  return (db) => {
    let statement = built.get(db);
    if (!statement) {
      const query = build(db);
      statement = query.prepare(statementName(query.toSQL().sql));
      built.set(db, statement);
    }
    return statement;
  };
}

const dialect = new PgDialect();

/** A built raw query prepared under `name`, as `db.execute` prepares one unnamed (rows as objects). */
const prepareRaw = (db: Db, built: Query, name: string) =>
  db._.session.prepareQuery(built, undefined, name, false);

/** {@link preparedStatement} for raw SQL; `execute` answers as `db.execute` does (`{ rows }`). */
export function preparedSql(
  query: SQL,
): (db: Db) => { execute(values: Record<string, unknown>): Promise<unknown> } {
  const built = dialect.sqlToQuery(query);
  return preparedStatement((db) => ({
    toSQL: () => built,
    prepare: (name) => prepareRaw(db, built, name),
  }));
}

/**
 * Runs `query`, built anew on each call, as a prepared statement named after its text. PostgreSQL then
 * parses and plans each text once per connection (and after five runs may keep a generic plan) instead
 * of on every call: for the statement that opens an incident, parsing and planning had been half of
 * PostgreSQL's time on it (0.9 of 1.8 ms on a slow machine). Only for statements whose text takes one of
 * a few shapes whatever their values (values as parameters, lists as one array or JSON parameter): each
 * distinct text stays prepared on every connection that ran it.
 */
export async function selectPreparedRows<T>(db: Db, query: SQL): Promise<T[]> {
  const built = dialect.sqlToQuery(query);
  const result = await prepareRaw(db, built, statementName(built.sql)).execute();
  return (result as { rows: T[] }).rows;
}
