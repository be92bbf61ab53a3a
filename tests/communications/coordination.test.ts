import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apologyRecipientsAmong,
  contactsWhoReceivedApology,
  notApologyRecipient,
  skipsApologyRecipients,
} from '../../src/communications/coordination.js';
import { contacts, messages } from '../../src/db/schema.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY } from '../support/fixtures.js';
import { insertCommunication, insertCustomer, insertIncident, insertMessage, previewApp } from './harness.js';

describe.each(drivers)('apology coordination and reply flags (%s)', (driver) => {
  let deps: TestDeps;
  let app: FastifyInstance;
  let incidentId: string;
  let otherIncidentId: string;
  let people: { id: string; contactIds: string[] };
  let apologyMessageId: string;

  beforeAll(async () => {
    deps = await createTestDeps(driver, { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
    app = await previewApp(deps);
    const db = deps.database.db;
    people = await insertCustomer(db, { ref: 'northwind', name: 'Northwind' }, [
      { email: 'ops@northwind.example', name: 'Nora' },
      { email: 'cto@northwind.example', name: 'Chidi' },
      { email: 'it@northwind.example' },
    ]);
    incidentId = await insertIncident(db, 'db-freeze');
    otherIncidentId = await insertIncident(db, 'other');
    const apology = await insertCommunication(db, incidentId, { kind: 'apology' });
    const [ops, cto, it] = people.contactIds as [string, string, string];
    apologyMessageId = (
      await insertMessage(db, {
        communicationId: apology,
        contactId: ops,
        customerId: people.id,
        email: 'ops@northwind.example',
        sentAt: new Date('2017-05-16T09:00:00Z'),
      })
    ).id;
    // Queued: about to get it, so automatic notices should already leave this contact alone.
    await insertMessage(db, {
      communicationId: apology,
      contactId: cto,
      customerId: people.id,
      email: 'cto@northwind.example',
    });
    const failed = await insertMessage(db, {
      communicationId: apology,
      contactId: it,
      customerId: people.id,
      email: 'it@northwind.example',
    });
    await db.update(messages).set({ status: 'bounced' }).where(eq(messages.id, failed.id));
  });
  afterAll(async () => {
    await app?.close();
    await deps?.close();
  });

  it('knows who got (or is getting) the apology of an incident, per page or as a SQL condition', async () => {
    const db = deps.database.db;
    const [ops, cto, it] = people.contactIds as [string, string, string];
    expect(await apologyRecipientsAmong(db, incidentId, [ops, cto, it])).toEqual(new Set([ops, cto]));
    expect(await apologyRecipientsAmong(db, otherIncidentId, [ops, cto, it])).toEqual(new Set());
    expect(await contactsWhoReceivedApology(db, incidentId)).toEqual([ops]);
    const left = await db.select({ id: contacts.id }).from(contacts).where(notApologyRecipient(incidentId));
    expect(left.map((r) => r.id)).toEqual([it]);
  });

  it('applies to automatic notices only: staff-written mail and apologies reach everyone', () => {
    expect(skipsApologyRecipients({ incidentId, kind: 'update', eventId: 'evt_1' })).toBe(true);
    expect(skipsApologyRecipients({ incidentId, kind: 'update', eventId: null })).toBe(false);
    expect(skipsApologyRecipients({ incidentId, kind: 'apology', eventId: null })).toBe(false);
  });

  it('previews flag a contact who already replied about the incident', async () => {
    const notice = await insertCommunication(deps.database.db, incidentId);
    const preview = () =>
      app.inject({
        method: 'GET',
        url: `/v1/communications/${notice}/preview?format=json&contact=ops@northwind.example`,
        headers: auth,
      });
    expect((await preview()).json()).toMatchObject({ contact_replied: false, contact_replied_at: null });
    await deps.database.db
      .update(messages)
      .set({ repliedAt: new Date('2017-05-16T10:00:00Z') })
      .where(eq(messages.id, apologyMessageId));
    expect((await preview()).json()).toMatchObject({
      contact_replied: true,
      contact_replied_at: '2017-05-16T10:00:00.000Z',
    });
    const html = await app.inject({
      method: 'GET',
      url: `/v1/communications/${notice}/preview?contact=ops@northwind.example`,
      headers: auth,
    });
    expect(html.headers['x-candor-contact-replied']).toBe('true');
  });
});
