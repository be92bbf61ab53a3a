import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { applyMigration, migrateUpTo } from '../support/migrations.js';

describe('migration 0004: rows written before messages were born in their batch', () => {
  it('keeps claimed rows in their batch and puts unclaimed ones in batches of at most 100', async () => {
    const db = new PGlite();
    const target = await migrateUpTo(db, '0004');

    // Rows as the earlier code left them; foreign keys are beside the point here.
    await db.exec(`set session_replication_role = replica`);
    const row = (id: string, communication: string, status: string, key: string | null) =>
      db.query(
        `insert into messages (id, communication_id, contact_id, customer_id, email, status, reply_token_hash, message_id_header, send_batch_key)
         values ($1, $2, $1, 'cus', $1 || '@x.example', $3, 'h' || $1, $1 || '@acme.example', $4)`,
        [id, communication, status, key],
      );
    for (let i = 0; i < 150; i++) await row(`msg_a${String(i).padStart(3, '0')}`, 'com_a', 'queued', null);
    await row('msg_a_claimed', 'com_a', 'sending', 'send-com_a-old');
    for (let i = 0; i < 3; i++) await row(`msg_b${i}`, 'com_b', 'queued', null);
    await row('msg_b_sent', 'com_b', 'sent', null);

    await applyMigration(db, target);
    const { rows } = await db.query<{ key: string | null; status: string; n: number }>(
      `select send_batch_key as key, status, count(*)::int as n from messages group by 1, 2 order by 1, 2`,
    );
    expect(rows).toEqual([
      { key: 'send-com_a-msg_a000', status: 'queued', n: 100 },
      { key: 'send-com_a-msg_a100', status: 'queued', n: 50 },
      { key: 'send-com_a-old', status: 'queued', n: 1 },
      { key: 'send-com_b-msg_b0', status: 'queued', n: 3 },
      { key: null, status: 'sent', n: 1 },
    ]);
    await db.close();
  });
});
