import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AffectedContact, affectedContactsPage, countAffected } from '../../src/audience/affected.js';
import { importCustomers } from '../../src/audience/customers.js';
import { contacts, suppressions } from '../../src/db/schema.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';

const c = (ref: string, regions: string[], components: string[], emails: string[], locale?: string) => ({
  ref,
  name: ref.toUpperCase(),
  tier: 'pro',
  regions,
  components,
  ...(locale ? { locale } : {}),
  contacts: emails.map((email) => ({ email })),
});

async function allPages(
  database: TestDatabase,
  scope: { regions: string[]; components: string[] },
  limit: number,
) {
  const all: AffectedContact[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await affectedContactsPage(database.db, { ...scope, afterContactId: after, limit });
    all.push(...page);
    if (page.length < limit) return all;
    after = page[page.length - 1]!.contactId;
  }
}

describe.each(drivers)('affected audience (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const result = await importCustomers(database.db, [
      c('us-helpdesk', ['us'], ['helpdesk'], ['a1@x.example', 'a2@x.example', 'a3@x.example'], 'de'),
      c('us-eu-both', ['eu', 'us'], ['api', 'helpdesk'], ['b1@x.example', 'b2@x.example']),
      c('us-api-only', ['us'], ['api'], ['c1@x.example']),
      c('eu-helpdesk', ['eu'], ['helpdesk'], ['d1@x.example']),
      c('us-unsub', ['us'], ['helpdesk'], ['e1@x.example', 'e2@x.example']),
      c('no-scope', [], [], ['f1@x.example']),
    ]);
    expect(result.rejected).toEqual([]);
    await database.db
      .update(contacts)
      .set({ unsubscribedAt: new Date() })
      .where(eq(contacts.email, 'e1@x.example'));
    await database.db
      .insert(suppressions)
      .values({ email: 'a2@x.example', reason: 'bounce', source: 'test' });
  });
  afterAll(async () => database?.close());

  const usHelpdesk = { regions: ['us'], components: ['helpdesk', 'chat'] };

  it('needs a shared region and a shared component, and leaves out unsubscribed and suppressed contacts', async () => {
    const page = await affectedContactsPage(database.db, { ...usHelpdesk, limit: 100 });
    expect(page.map((p) => p.email).sort()).toEqual([
      'a1@x.example',
      'a3@x.example',
      'b1@x.example',
      'b2@x.example',
      'e2@x.example',
    ]);
    const a1 = page.find((p) => p.email === 'a1@x.example')!;
    expect(a1).toMatchObject({
      customerRef: 'us-helpdesk',
      customerName: 'US-HELPDESK',
      tier: 'pro',
      locale: 'de',
      name: null,
    });
    expect(page.map((p) => p.contactId)).toEqual([...page.map((p) => p.contactId)].sort());
  });

  it('pages by contact id and returns every contact exactly once', async () => {
    const paged = await allPages(database, usHelpdesk, 2);
    const whole = await affectedContactsPage(database.db, { ...usHelpdesk, limit: 100 });
    expect(paged.map((p) => p.contactId)).toEqual(whole.map((p) => p.contactId));
    expect(new Set(paged.map((p) => p.contactId)).size).toBe(5);
  });

  it('counts customers, recipients and suppressed contacts', async () => {
    expect(await countAffected(database.db, usHelpdesk)).toEqual({
      customers: 3,
      recipients: 5,
      suppressed: 2,
    });
    expect(await countAffected(database.db, { regions: ['apac'], components: ['helpdesk'] })).toEqual({
      customers: 0,
      recipients: 0,
      suppressed: 0,
    });
  });

  it('treats an empty incident list as spanning that whole axis', async () => {
    const anyRegionApi = await allPages(database, { regions: [], components: ['api'] }, 2);
    expect(anyRegionApi.map((p) => p.customerRef).sort()).toEqual([
      'us-api-only',
      'us-eu-both',
      'us-eu-both',
    ]);
    const everyone = await countAffected(database.db, { regions: [], components: [] });
    expect(everyone).toEqual({ customers: 6, recipients: 8, suppressed: 2 });
  });
});
