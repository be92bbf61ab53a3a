import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/arrays.js';
import { openDatabase } from '../../src/db/client.js';
import { executePrepared, executePreparedSql, statementName } from '../../src/db/prepared.js';
import { suppressions } from '../../src/db/schema.js';
import { drivers, openTestDatabase, type TestDatabase, throwawayPostgres } from '../support/database.js';

describe.each(drivers)('prepared statements (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  it('answer as the unprepared query does, for each input', async () => {
    const { db } = database;
    await db.insert(suppressions).values([
      { email: 'a@prepared.example', reason: 'bounced', source: 'test' },
      { email: 'b@prepared.example', reason: 'complained', source: 'test' },
    ]);
    const byEmail = (email: string) => db.select().from(suppressions).where(eq(suppressions.email, email));
    for (const email of [
      'a@prepared.example',
      'b@prepared.example',
      'a@prepared.example',
      'none@x.example',
    ]) {
      const rows = await executePrepared(byEmail(email));
      expect(rows).toEqual(await byEmail(email));
      expect(rows.length).toBe(email.startsWith('none') ? 0 : 1);
    }
    const raw = (n: number) => sql`select ${n}::int + 1 as next`;
    const answers = [];
    for (const n of [1, 2, 3])
      answers.push(((await executePreparedSql(db, raw(n))) as { rows: unknown[] }).rows);
    expect(answers).toEqual([[{ next: 2 }], [{ next: 3 }], [{ next: 4 }]]);
  });
});

describe.runIf(process.env.DATABASE_URL)('prepared statements on PostgreSQL', () => {
  it('are prepared once per connection under their text’s hash, and two texts never share a name', async () => {
    const database = await throwawayPostgres(process.env.DATABASE_URL!);
    // One connection, so that every statement below runs in the session whose statements are listed.
    const single = await openDatabase({ databaseUrl: database.url, maxConnections: 1, migrate: false });
    try {
      const { db } = single;
      const first = sql`select ${1}::int as n`;
      const second = sql`select ${1}::int * 2 as n`;
      for (let i = 0; i < 3; i++) {
        await executePreparedSql(db, first);
        await executePreparedSql(db, second);
      }
      const prepared = await selectRows<{ name: string; statement: string }>(
        db,
        sql`select name, statement from pg_prepared_statements order by statement`,
      );
      expect(prepared).toEqual([
        { name: statementName('select $1::int * 2 as n'), statement: 'select $1::int * 2 as n' },
        { name: statementName('select $1::int as n'), statement: 'select $1::int as n' },
      ]);
    } finally {
      await single.close();
      await database.close();
    }
  });
});
