import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/arrays.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';

describe.each(drivers)('migration 0006: frozen batch payloads compressed with lz4 (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  it('uses lz4 where the server has it and leaves the default where it has not', async () => {
    const [column] = await selectRows<{ compression: string }>(
      database.db,
      sql`select attcompression as compression from pg_attribute
        where attrelid = 'send_batches'::regclass and attname = 'payload'`,
    );
    // PGlite is built without lz4: the migration must still apply there, keeping pglz.
    expect(column?.compression).toBe(driver === 'postgres' ? 'l' : '');
  });
});
