import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affectedContactsPage } from '../../src/audience/affected.js';
import { getCustomer, importCustomers, listCustomers, upsertCustomer } from '../../src/audience/customers.js';
import { type CustomerInput, customerImportItemSchema } from '../../src/audience/schemas.js';
import { newId } from '../../src/db/ids.js';
import { contacts, customers, messages } from '../../src/db/schema.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';
import { sendingCommunication } from '../support/rows.js';

const customer = (ref: string, overrides: Partial<CustomerInput> = {}): CustomerInput =>
  customerImportItemSchema.parse({
    ref,
    name: `Customer ${ref}`,
    tier: 'pro',
    regions: ['us'],
    components: ['helpdesk'],
    contacts: [{ email: `ops@${ref}.example` }],
    ...overrides,
  });

describe.each(drivers)('customers (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => database?.close());

  it('creates, then updates on the same ref', async () => {
    const { db } = database;
    const first = await upsertCustomer(
      db,
      customer('acme', { locale: 'de-DE', attributes: { plan: 'annual' } }),
    );
    expect(first.created).toBe(true);
    expect(first.customer).toMatchObject({
      ref: 'acme',
      tier: 'pro',
      locale: 'de-DE',
      attributes: { plan: 'annual' },
    });
    const second = await upsertCustomer(db, customer('acme', { name: 'Acme Inc', tier: 'enterprise' }));
    expect(second.created).toBe(false);
    expect(second.customer.id).toBe(first.customer.id);
    expect(second.customer).toMatchObject({
      name: 'Acme Inc',
      tier: 'enterprise',
      locale: null,
      attributes: {},
    });
  });

  it('normalises addresses and replaces the contact list, keeping unchanged contacts and their ids', async () => {
    const { db } = database;
    const a = await upsertCustomer(
      db,
      customer('globex', {
        contacts: [
          { email: '  Ada@Globex.Example ', name: 'Ada' },
          { email: 'ben@globex.example', role: 'CTO' },
        ],
      }),
    );
    expect(a.customer.contacts.map((c) => c.email)).toEqual(['ada@globex.example', 'ben@globex.example']);
    const adaId = a.customer.contacts[0]!.id;
    await db.update(contacts).set({ unsubscribedAt: new Date() }).where(eq(contacts.id, adaId));

    const b = await upsertCustomer(
      db,
      customer('globex', {
        contacts: [{ email: 'ADA@globex.example', name: 'Ada L.' }, { email: 'cleo@globex.example' }],
      }),
    );
    expect(b.customer.contacts.map((c) => c.email)).toEqual(['ada@globex.example', 'cleo@globex.example']);
    const ada = b.customer.contacts[0]!;
    expect(ada).toMatchObject({ id: adaId, name: 'Ada L.' });
    // Re-sending an unsubscribed contact never resubscribes it.
    expect(ada.unsubscribed_at).not.toBeNull();
  });

  it('marks dropped contacts removed (hidden, not mailed, not unsubscribed) and restores them when listed again', async () => {
    const { db } = database;
    const emails = ['a@initech.example', 'b@initech.example', 'c@initech.example'];
    const { customer: c } = await upsertCustomer(
      db,
      customer('initech', { contacts: emails.map((email) => ({ email })) }),
    );
    const [, mailed, unsubscribed] = c.contacts;
    await db.update(contacts).set({ unsubscribedAt: new Date() }).where(eq(contacts.id, unsubscribed!.id));
    const { communicationId } = await sendingCommunication(db);
    await db.insert(messages).values({
      id: newId('msg'),
      communicationId,
      contactId: mailed!.id,
      customerId: c.id,
      email: mailed!.email,
      replyTokenHash: newId('tok'),
      messageIdHeader: 'x@acme.example',
    });

    const after = await upsertCustomer(db, customer('initech', { contacts: [{ email: emails[0]! }] }));
    expect(after.customer.contacts.map((x) => x.email)).toEqual([emails[0]]);
    const stored = await db.select().from(contacts).where(eq(contacts.customerId, c.id));
    const byEmail = new Map(stored.map((row) => [row.email, row]));
    expect(byEmail.get(emails[0]!)?.removedAt).toBeNull();
    expect(byEmail.get(emails[1]!)?.removedAt).not.toBeNull();
    // The old workaround unsubscribed dropped contacts; removal must not pretend they opted out.
    expect(byEmail.get(emails[1]!)?.unsubscribedAt).toBeNull();
    const page = await affectedContactsPage(db, { regions: [], components: [], limit: 1_000 });
    expect(page.map((p) => p.email).filter((e) => e.endsWith('@initech.example'))).toEqual([emails[0]]);

    const back = await upsertCustomer(
      db,
      customer('initech', { contacts: emails.map((email) => ({ email })) }),
    );
    expect(back.customer.contacts.map((x) => [x.email, x.id, x.unsubscribed_at === null])).toEqual([
      [emails[0], c.contacts[0]!.id, true],
      [emails[1], mailed!.id, true],
      // Coming back does not undo a real unsubscribe.
      [emails[2], unsubscribed!.id, false],
    ]);
  });

  it('imports valid items, rejects invalid ones with 1-based rows, and reports created vs updated', async () => {
    const { db } = database;
    const result = await importCustomers(db, [
      customer('acme'),
      {
        ref: 'bad-email',
        name: 'X',
        tier: 'free',
        regions: [],
        components: [],
        contacts: [{ email: 'nope' }],
      },
      customer('umbrella'),
      { ref: 'bad-tier', name: 'Y', tier: 'Gold Plan', regions: [], components: [], contacts: [] },
      customer('umbrella', { name: 'Twice' }),
      'not an object',
    ]);
    expect(result.created).toBe(1);
    expect(result.updated).toBe(1);
    expect(result.rejected.map((r) => r.row)).toEqual([2, 4, 5, 6]);
    expect(result.rejected[0]!.error).toContain('contacts.0.email');
    expect(result.rejected[1]!.error).toMatch(/tier: .*; contacts: /);
    expect(result.rejected[2]!.error).toBe('ref: duplicate of row 3');
    await expect(getCustomer(db, 'bad-email')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('rejects more than 50,000 rows before looking at any of them', async () => {
    const items = new Array(50_001).fill(null);
    await expect(importCustomers(database.db, items)).rejects.toMatchObject({
      statusCode: 413,
      code: 'too_many_rows',
    });
  });

  it('imports 10,000 customers in chunks, quickly, and re-imports them as updates', async () => {
    const { db } = database;
    const items = Array.from({ length: 10_000 }, (_, i) =>
      customer(`bulk-${i}`, { contacts: [{ email: `a${i}@bulk.example` }, { email: `b${i}@bulk.example` }] }),
    );
    const started = Date.now();
    const first = await importCustomers(db, items);
    expect(first).toEqual({ created: 10_000, updated: 0, rejected: [] });
    expect(Date.now() - started).toBeLessThan(20_000);
    const second = await importCustomers(db, items.slice(0, 600));
    expect(second).toEqual({ created: 0, updated: 600, rejected: [] });
    const [row] = await db.select().from(customers).where(eq(customers.ref, 'bulk-9999'));
    expect(row?.name).toBe('Customer bulk-9999');
  }, 60_000);

  it('lists with keyset paging and a search', async () => {
    const { db } = database;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCustomers(db, { q: 'bulk-99', limit: 4, cursor });
      seen.push(...page.data.map((c) => c.ref));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    // bulk-99, bulk-990..999, bulk-9900..9999
    expect(seen).toHaveLength(1 + 10 + 100);
    expect(new Set(seen).size).toBe(seen.length);
    const byEmail = await listCustomers(db, { q: 'B42@BULK', limit: 10 });
    expect(byEmail.data.map((c) => c.ref)).toContain('bulk-42');
    expect((await listCustomers(db, { q: '100%', limit: 10 })).data).toEqual([]);
  });
});
