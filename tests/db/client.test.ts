import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/arrays.js';
import { throwawayPostgres } from '../support/database.js';

describe.runIf(process.env.DATABASE_URL)('PostgreSQL connections', () => {
  it('run without JIT compilation, which cost the audience count ~300 of its ~320 ms', async () => {
    const database = await throwawayPostgres(process.env.DATABASE_URL!, { maxConnections: 3 });
    try {
      // Three at once, so that the pool opens connections for them rather than reusing one.
      const answers = await Promise.all(
        [1, 2, 3].map(() => selectRows<{ jit: string }>(database.db, sql`show jit`)),
      );
      expect(answers.map((rows) => rows[0]?.jit)).toEqual(['off', 'off', 'off']);
    } finally {
      await database.close();
    }
  });
});
