import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows, textArray } from '../../src/db/arrays.js';
import { openDatabase } from '../../src/db/client.js';
import { preparedSql, preparedStatement, selectPreparedRows, statementName } from '../../src/db/prepared.js';
import { suppressions } from '../../src/db/schema.js';
import { drivers, openTestDatabase, type TestDatabase, throwawayPostgres } from '../support/database.js';

const byEmail = preparedStatement((db) =>
  db
    .select()
    .from(suppressions)
    .where(eq(suppressions.email, sql.placeholder('email'))),
);
const inList = preparedSql(
  sql`select count(*)::int as n from ${suppressions} where email = any(${textArray(sql.placeholder('emails'))})`,
);

describe.each(drivers)('prepared statements (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    await database.db.insert(suppressions).values([
      { email: 'a@prepared.example', reason: 'bounced', source: 'test' },
      { email: 'b@prepared.example', reason: 'complained', source: 'test' },
    ]);
  });
  afterAll(() => database.close());

  it('answer as the unprepared query does, with each run’s own values', async () => {
    const { db } = database;
    for (const email of [
      'a@prepared.example',
      'b@prepared.example',
      'a@prepared.example',
      'none@x.example',
    ]) {
      const rows = await byEmail(db).execute({ email });
      expect(rows).toEqual(await db.select().from(suppressions).where(eq(suppressions.email, email)));
      expect(rows.map((r) => r.email)).toEqual(email.startsWith('none') ? [] : [email]);
    }
    const counts = [];
    for (const emails of [['a@prepared.example'], ['a@prepared.example', 'b@prepared.example'], []])
      counts.push(((await inList(db).execute({ emails })) as { rows: { n: number }[] }).rows[0]?.n);
    expect(counts).toEqual([1, 2, 0]);
  });

  it('run a statement built on each call under its text’s name, with each call’s own values', async () => {
    const { db } = database;
    const reasonOf = (email: string) =>
      selectPreparedRows<{ reason: string }>(
        db,
        sql`select reason from ${suppressions} where email = ${email}`,
      );
    expect(await reasonOf('a@prepared.example')).toEqual([{ reason: 'bounced' }]);
    expect(await reasonOf('b@prepared.example')).toEqual([{ reason: 'complained' }]);
    expect(await reasonOf('none@prepared.example')).toEqual([]);
    // A failed run leaves the connection and the statement usable.
    const insert = (email: string) =>
      selectPreparedRows(
        db,
        sql`insert into ${suppressions} (email, reason, source) values (${email}, 'bounced', 'test') returning email`,
      );
    await expect(insert('a@prepared.example')).rejects.toThrow();
    expect(await insert('c@prepared.example')).toEqual([{ email: 'c@prepared.example' }]);
  });

  it('are built once per database handle', async () => {
    expect(byEmail(database.db)).toBe(byEmail(database.db));
    const other = await openTestDatabase(driver);
    try {
      expect(await byEmail(other.db).execute({ email: 'a@prepared.example' })).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe.runIf(process.env.DATABASE_URL)('prepared statements on PostgreSQL', () => {
  it('are prepared once per connection, each under its text’s hash, and answer right on the generic plan', async () => {
    const database = await throwawayPostgres(process.env.DATABASE_URL!);
    // One connection, so that every statement below runs in the session whose statements are listed.
    const single = await openDatabase({ databaseUrl: database.url, maxConnections: 1, migrate: false });
    try {
      const { db } = single;
      const emails = Array.from({ length: 8 }, (_, i) => `p${i}@x.example`);
      await db
        .insert(suppressions)
        .values(emails.slice(0, 4).map((email) => ({ email, reason: 'bounced' as const, source: 'test' })));
      // PostgreSQL plans a prepared statement for its values five times, then may settle on a generic
      // plan: eight runs each reach the plan the send path runs for the rest of a connection's life.
      for (const [i, email] of emails.entries()) {
        expect((await byEmail(db).execute({ email })).map((r) => r.email)).toEqual(i < 4 ? [email] : []);
        const list = emails.slice(0, i + 1);
        const { rows } = (await inList(db).execute({ emails: list })) as { rows: { n: number }[] };
        expect(rows[0]?.n).toBe(Math.min(i + 1, 4));
      }
      const prepared = await selectRows<{ name: string; statement: string; generic_plans: number }>(
        db,
        sql`select name, statement, generic_plans::int from pg_prepared_statements`,
      );
      expect(prepared).toHaveLength(2);
      for (const { name, statement } of prepared) expect(name).toBe(statementName(statement));
      expect(prepared.some((row) => row.generic_plans > 0)).toBe(true);

      for (const email of emails) {
        const rows = await selectPreparedRows(
          db,
          sql`select email from ${suppressions} where email = ${email}`,
        );
        expect(rows).toHaveLength(emails.indexOf(email) < 4 ? 1 : 0);
      }
      const [built] = await selectRows<{ name: string; statement: string; runs: number }>(
        db,
        sql`select name, statement, (generic_plans + custom_plans)::int as runs from pg_prepared_statements
          where statement like 'select email from %'`,
      );
      expect(built).toMatchObject({ name: statementName(built!.statement), runs: emails.length });
    } finally {
      await single.close();
      await database.close();
    }
  });
});
