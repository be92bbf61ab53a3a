import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTextArray, selectRows } from '../../src/db/arrays.js';
import type { Db } from '../../src/db/client.js';
import { newId } from '../../src/db/ids.js';
import { contacts, customers, messageProviderIds, messages } from '../../src/db/schema.js';
import { recordOutcomes } from '../../src/delivery/outcomes.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';
import { sendingCommunication } from '../support/rows.js';

describe.each(drivers)('recording a batch’s outcomes (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database.close();
  });

  /** `count` queued messages of one new communication, all in one batch, as the fan-out writes them. */
  async function queuedBatch(db: Db, count: number) {
    const { communicationId } = await sendingCommunication(db);
    const customerId = newId('cus');
    await db.insert(customers).values({ id: customerId, ref: customerId, name: 'Northwind', tier: 'pro' });
    const batchKey = `send-${communicationId}-first`;
    const rows = Array.from({ length: count }, () => {
      const id = newId('msg');
      return { id, contactId: newId('con'), email: `${id}@northwind.example` };
    });
    await db
      .insert(contacts)
      .values(rows.map((r) => ({ id: r.contactId, customerId, email: r.email, name: 'x' })));
    await db.insert(messages).values(
      rows.map((r) => ({
        id: r.id,
        communicationId,
        contactId: r.contactId,
        customerId,
        email: r.email,
        sendBatchKey: batchKey,
        replyTokenHash: createHash('sha256').update(r.id).digest('hex'),
        messageIdHeader: `${r.id}@acme.example`,
      })),
    );
    return { batchKey, messageIds: rows.map((r) => r.id) };
  }

  it('writes every outcome as a HOT update, which adds no index entry', async () => {
    const { db } = database;
    const { batchKey, messageIds } = await queuedBatch(db, 60);
    const hot = await db.transaction(async (tx) => {
      await recordOutcomes(
        tx as unknown as Db,
        { batchKey, attempts: 1, firstAttemptAt: new Date() },
        messageIds.map((messageId, i) =>
          i % 10 === 9
            ? { messageId, ok: false as const, permanent: true as const, error: 'invalid recipient' }
            : { messageId, ok: true as const, providerId: `re_${messageId}` },
        ),
      );
      // This transaction's own counts: no waiting for the statistics to be flushed.
      const [row] = await selectRows<{ updated: number; hot: number }>(
        tx as unknown as Db,
        sql`select pg_stat_get_xact_tuples_updated('messages'::regclass)::int as updated,
          pg_stat_get_xact_tuples_hot_updated('messages'::regclass)::int as hot`,
      );
      return row;
    });
    // All would be HOT if each new row version fitted beside the old one; it is slightly larger (provider
    // id, times), so the last rows of a full page may not. With an index on status or provider id, none is.
    expect(hot?.updated).toBe(60);
    expect(hot?.hot).toBeGreaterThanOrEqual(48);
    const sent = await db.select().from(messages).where(eq(messages.sendBatchKey, batchKey));
    expect(sent.filter((m) => m.status === 'sent')).toHaveLength(54);
    expect(sent.filter((m) => m.status === 'failed')).toHaveLength(6);
  });

  it('records the provider ids for the webhooks once, however often the answer is recorded', async () => {
    const { db } = database;
    const { batchKey, messageIds } = await queuedBatch(db, 3);
    const outcomes = messageIds.map((messageId) => ({
      messageId,
      ok: true as const,
      providerId: `re_${messageId}`,
    }));
    const batch = { batchKey, attempts: 1, firstAttemptAt: new Date() };
    await recordOutcomes(db, batch, outcomes);
    await recordOutcomes(db, batch, outcomes); // a duplicate answer changes nothing
    const ids = await db
      .select()
      .from(messageProviderIds)
      .where(inTextArray(messageProviderIds.messageId, messageIds));
    expect(ids.map((r) => [r.providerId, r.messageId]).sort()).toEqual(
      messageIds.map((id) => [`re_${id}`, id]).sort(),
    );
  });
});
