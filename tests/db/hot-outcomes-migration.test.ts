import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { applyMigration, migrateUpTo } from '../support/migrations.js';

describe('migration 0005: outcomes written without touching an index', () => {
  it('keeps the provider ids of messages sent before it, leaves new pages half free and no index on what an outcome writes', async () => {
    const db = new PGlite();
    const target = await migrateUpTo(db, '0005');
    await db.exec(`set session_replication_role = replica`); // foreign keys are beside the point here
    const row = (id: string, status: string, providerId: string | null) =>
      db.query(
        `insert into messages (id, communication_id, contact_id, customer_id, email, status, reply_token_hash, message_id_header, provider_id)
         values ($1, 'com_a', $1, 'cus', $1 || '@x.example', $2, 'h' || $1, $1 || '@acme.example', $3)`,
        [id, status, providerId],
      );
    await row('msg_sent', 'sent', 're_1');
    await row('msg_delivered', 'delivered', 're_2');
    await row('msg_queued', 'queued', null);

    await applyMigration(db, target);
    const { rows } = await db.query(
      'select provider_id as "providerId", message_id as "messageId" from message_provider_ids order by 1',
    );
    expect(rows).toEqual([
      { providerId: 're_1', messageId: 'msg_sent' },
      { providerId: 're_2', messageId: 'msg_delivered' },
    ]);
    const { rows: options } = await db.query<{ reloptions: string[] }>(
      `select reloptions from pg_class where relname = 'messages'`,
    );
    expect(options[0]?.reloptions).toEqual(['fillfactor=50']);
    const { rows: indexes } = await db.query<{ name: string; method: string }>(
      `select c.relname as name, am.amname as method from pg_index i
       join pg_class c on c.oid = i.indexrelid join pg_am am on am.oid = c.relam
       where i.indrelid = 'messages'::regclass order by 1`,
    );
    expect(indexes).toEqual([
      { name: 'messages_batch_idx', method: 'btree' },
      { name: 'messages_comm_contact_key', method: 'btree' },
      { name: 'messages_contact_idx', method: 'btree' },
      { name: 'messages_message_id_header_idx', method: 'btree' },
      { name: 'messages_pkey', method: 'btree' },
      { name: 'messages_reply_token_idx', method: 'hash' },
    ]);
    await db.close();
  });
});
