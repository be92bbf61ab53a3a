import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AffectedContact, IncidentScope } from '../../src/audience/affected.js';
import { importCustomers, upsertCustomer } from '../../src/audience/customers.js';
import {
  ensureDefaultSegments,
  listSegments,
  segmentContactsPage,
  segmentCounts,
} from '../../src/audience/segment-audience.js';
import { putSegment } from '../../src/audience/segment-store.js';
import { contacts, suppressions } from '../../src/db/schema.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';

const scope: IncidentScope = { regions: ['us'], components: ['helpdesk'] };

/**
 * 30 customers for an incident in us/helpdesk:
 * - 6 enterprise, affected, 2 contacts each (12): 1 suppressed, 1 unsubscribed
 * - 10 pro, affected, 1 contact each (10): 1 suppressed; one more contact that gets removed
 * - 4 free, affected, 3 contacts each (12): 2 unsubscribed
 * - 5 enterprise in eu (unaffected), 1 contact each (5)
 * - 5 pro in us on api only (unaffected), 2 contacts each (10): 1 suppressed
 */
function dataSet() {
  const customer = (ref: string, tier: string, regions: string[], components: string[], n: number) => ({
    ref,
    name: ref,
    tier,
    regions,
    components,
    contacts: Array.from({ length: n }, (_, i) => ({ email: `c${i}@${ref}.example` })),
  });
  return [
    ...Array.from({ length: 6 }, (_, i) => customer(`ent-${i}`, 'enterprise', ['us'], ['helpdesk'], 2)),
    ...Array.from({ length: 10 }, (_, i) => customer(`pro-${i}`, 'pro', ['us'], ['helpdesk', 'api'], 1)),
    ...Array.from({ length: 4 }, (_, i) => customer(`free-${i}`, 'free', ['us', 'eu'], ['helpdesk'], 3)),
    ...Array.from({ length: 5 }, (_, i) => customer(`ent-eu-${i}`, 'enterprise', ['eu'], ['helpdesk'], 1)),
    ...Array.from({ length: 5 }, (_, i) => customer(`pro-api-${i}`, 'pro', ['us'], ['api'], 2)),
  ];
}

async function pages(database: TestDatabase, segmentKey: string, limit: number) {
  const all: AffectedContact[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await segmentContactsPage(database.db, { scope, segmentKey, afterContactId: after, limit });
    all.push(...page);
    if (page.length < limit) return all;
    after = page[page.length - 1]!.contactId;
  }
}

describe.each(drivers)('segment audience (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const { db } = database;
    await ensureDefaultSegments(db);
    await ensureDefaultSegments(db);
    expect((await importCustomers(db, dataSet())).created).toBe(30);
    await db.insert(suppressions).values(
      ['c0@ent-1.example', 'c0@pro-3.example', 'c1@pro-api-2.example'].map((email) => ({
        email,
        reason: 'bounce',
        source: 'test',
      })),
    );
    await db
      .update(contacts)
      .set({ unsubscribedAt: new Date() })
      .where(inArray(contacts.email, ['c1@ent-4.example', 'c0@free-0.example', 'c2@free-3.example']));
    const pro5 = dataSet().find((c) => c.ref === 'pro-5')!;
    await upsertCustomer(db, { ...pro5, contacts: [...pro5.contacts, { email: 'gone@pro-5.example' }] });
    await upsertCustomer(db, pro5);
  });
  afterAll(async () => database?.close());

  it('seeds the default segments once, in priority order', async () => {
    const segments = await listSegments(database.db);
    expect(segments.map((s) => [s.key, s.priority, s.template, s.sendPolicy])).toEqual([
      ['affected-enterprise', 10, 'affected-enterprise', null],
      ['affected', 20, 'affected', null],
      ['unaffected', 30, 'unaffected', { notify: false }],
    ]);
  });

  it('counts customers, recipients and suppressed per segment, each contact in one segment only', async () => {
    expect(await segmentCounts(database.db, scope)).toEqual([
      {
        segment: 'affected-enterprise',
        name: 'Affected enterprise customers',
        customers: 6,
        recipients: 10,
        suppressed: 2,
        notify: true,
      },
      {
        segment: 'affected',
        name: 'Affected customers',
        customers: 14,
        recipients: 19,
        suppressed: 3,
        notify: true,
      },
      {
        segment: 'unaffected',
        name: 'Not affected',
        customers: 10,
        recipients: 14,
        suppressed: 1,
        notify: false,
      },
    ]);
  });

  it('pages a segment by contact id, every mailable contact exactly once', async () => {
    const affected = await pages(database, 'affected', 4);
    expect(affected).toHaveLength(19);
    expect(new Set(affected.map((c) => c.contactId)).size).toBe(19);
    expect(affected.map((c) => c.contactId)).toEqual([...affected.map((c) => c.contactId)].sort());
    expect(affected.every((c) => c.tier !== 'enterprise')).toBe(true);
    const emails = affected.map((c) => c.email);
    for (const left of ['c0@pro-3.example', 'c0@free-0.example', 'gone@pro-5.example'])
      expect(emails).not.toContain(left);
    const enterprise = await pages(database, 'affected-enterprise', 3);
    expect(enterprise.map((c) => c.customerRef).sort()).toEqual([
      'ent-0',
      'ent-0',
      'ent-1',
      'ent-2',
      'ent-2',
      'ent-3',
      'ent-3',
      'ent-4',
      'ent-5',
      'ent-5',
    ]);
    expect(await segmentContactsPage(database.db, { scope, segmentKey: 'nope', limit: 10 })).toEqual([]);
  });

  it('gives a contact to the first matching segment only when a new segment comes before others', async () => {
    const { db } = database;
    // Free customers first: they leave "affected" (and would leave "unaffected" too if any were there).
    await putSegment(
      db,
      'free-first',
      { name: 'Free', rule: { field: 'tier', eq: 'free' }, priority: 5 },
      'test',
    );
    const counts = await segmentCounts(db, scope);
    expect(counts.map((c) => [c.segment, c.customers, c.recipients, c.suppressed])).toEqual([
      ['free-first', 4, 10, 2],
      ['affected-enterprise', 6, 10, 2],
      ['affected', 10, 9, 1],
      ['unaffected', 10, 14, 1],
    ]);
    const total = counts.reduce((sum, c) => sum + c.recipients + c.suppressed, 0);
    expect(total).toBe(12 + 10 + 12 + 5 + 10);
    expect(await pages(database, 'affected', 100)).toHaveLength(9);
    // Moving it last changes nothing for the affected ones: they are caught earlier.
    await putSegment(
      db,
      'free-first',
      { name: 'Free', rule: { field: 'tier', eq: 'free' }, priority: 99 },
      'test',
    );
    expect((await segmentCounts(db, scope)).map((c) => c.recipients)).toEqual([10, 19, 14, 0]);
  });
});
