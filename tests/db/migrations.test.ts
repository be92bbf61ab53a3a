import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';

describe.runIf(process.env.DATABASE_URL)('migrations on PostgreSQL', () => {
  it('let replicas that start together on a fresh database all come up', async () => {
    const server = process.env.DATABASE_URL!;
    const name = `candor_t_race_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    try {
      const results = await Promise.allSettled(
        [1, 2, 3, 4].map(() => openDatabase({ databaseUrl: url.toString(), maxConnections: 2 })),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      for (const r of results) if (r.status === 'fulfilled') await r.value.close();
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
