import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAffectedFor } from '../../src/communications/apology-facts.js';
import {
  MINUTES_AFFECTED,
  personaliseApologyBody,
  draftApology as writeDraft,
} from '../../src/communications/drafting.js';
import { customers, users } from '../../src/db/schema.js';
import { lintContent } from '../../src/rendering/lint.js';
import { drivers } from '../support/database.js';
import { incidentEvent } from '../support/fixtures.js';
import { type ApologyHarness, as, draftApology, startApologyHarness } from './apology-harness.js';

describe('apology wording', () => {
  const facts = {
    title: 'Database failover stalled at our vendor',
    disruptions: 16,
    windows: [],
    firstStartedAt: new Date('2017-05-15T14:00:00Z'),
    lastEndedAt: new Date('2017-05-26T09:05:00Z'),
    totalMinutes: 87,
    latestChange: 'We replaced the vendor database cluster; failover now takes seconds.',
  };

  it('falls back to general words when the facts carry blame or jargon, so the draft passes the lint', () => {
    const draft = writeDraft(facts);
    const warnings = lintContent({ text: `${draft.subject}\n\n${draft.body}`, kind: 'apology' });
    expect(warnings).toEqual([]);
    expect(draft.body).not.toMatch(/vendor|failover|database/i);
    expect(draft.body).toContain('16 times');
    expect(draft.body).toContain('87 minutes');
    expect(draft.body).toContain('Between 15 May 2017 and 26 May 2017');
    expect(draft.subject).toBe('About the 16 disruptions since 15 May 2017');
  });

  it("fills in each customer's minutes, in words that still read right for one minute", () => {
    expect(
      personaliseApologyBody(`about ${MINUTES_AFFECTED} minutes, {{ minutes_affected }}`, {
        minutesAffected: 7,
      }),
    ).toBe('about 7 minutes, 7');
    expect(personaliseApologyBody(`about ${MINUTES_AFFECTED} minutes`, { minutesAffected: 1 })).toBe(
      'about 1 minute',
    );
    expect(personaliseApologyBody(`about ${MINUTES_AFFECTED} minutes`, { minutesAffected: 11 })).toBe(
      'about 11 minutes',
    );
  });
});

describe.each(drivers)('drafting apologies (%s)', (driver) => {
  let h: ApologyHarness;
  beforeAll(async () => {
    h = await startApologyHarness(driver);
  });
  afterAll(() => h?.close());

  it('drafts from the facts: what, when, how long, an apology that owns it, an invitation to reply', async () => {
    const draft = await draftApology(h);
    expect(draft).toMatchObject({
      status: 'draft',
      kind: 'apology',
      segment: 'affected-enterprise',
      from: '"Alex Rivera" <alex@acme.example>',
      sender: { id: h.alex.userId, name: 'Alex Rivera', email: 'alex@acme.example', title: 'CEO' },
      approval: null,
      recipients: 2,
      current_version: { version: 1, template: 'executive-apology' },
    });
    const { body, subject } = draft.current_version;
    expect(subject).toBe('About the disruption on 15 May 2017');
    expect(body).toContain('On 15 May 2017, from 14:00 to 14:07 UTC');
    expect(body).toContain('errors loading the help desk');
    expect(body).toContain(MINUTES_AFFECTED);
    expect(body).toMatch(/I am sorry/);
    expect(body).toMatch(/reply to this e-mail/);
    const lint = await as(h.app, h.comms)({ method: 'GET', url: `/v1/communications/${draft.id}/lint` });
    expect(lint.json().warnings).toEqual([]);
  });

  it('gives each customer its own minutes: affected customers the incident window, others none', async () => {
    const rows = await h.deps.database.db.select().from(customers);
    const byRef = new Map(rows.map((r) => [r.ref, r.id]));
    const minutes = (ref: string) =>
      minutesAffectedFor(h.deps.database.db, { incidentId: h.incidentId, customerId: byRef.get(ref)! });
    expect(await minutes('northwind')).toBe(7);
    expect(await minutes('globex')).toBe(7);
    expect(await minutes('initech')).toBe(0); // eu only
    expect(await minutes('umbrella')).toBe(0); // chat only
  });

  it('accepts only an executive with a sender identity as the sender (422 otherwise)', async () => {
    for (const sender of [h.comms.userId, h.admin.userId, 'usr_unknown']) {
      const res = await as(
        h.app,
        h.comms,
      )({
        method: 'POST',
        url: `/v1/incidents/${h.incidentId}/communications`,
        payload: { kind: 'apology', segment: 'affected', sender },
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('sender_not_executive');
    }
  });

  it('re-checks the sender domain at draft time (422 when no longer allowed)', async () => {
    const db = h.deps.database.db;
    await db
      .update(users)
      .set({ sender: { name: 'Blake Chen', email: 'blake@elsewhere.example', title: 'CTO' } })
      .where(eq(users.id, h.blake.userId));
    const res = await as(
      h.app,
      h.comms,
    )({
      method: 'POST',
      url: `/v1/incidents/${h.incidentId}/communications`,
      payload: { kind: 'apology', segment: 'affected', sender: h.blake.userId },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('sender_domain_not_allowed');
    await db
      .update(users)
      .set({ sender: { name: 'Blake Chen', email: 'blake@acme.example', title: 'CTO' } })
      .where(eq(users.id, h.blake.userId));
  });

  it('lets only staff who write draft (403 for executives), and 404s an unknown incident', async () => {
    const payload = { kind: 'apology', segment: 'affected', sender: h.alex.userId };
    const exec = await as(
      h.app,
      h.alex,
    )({ method: 'POST', url: `/v1/incidents/${h.incidentId}/communications`, payload });
    expect(exec.statusCode).toBe(403);
    const missing = await as(
      h.app,
      h.admin,
    )({ method: 'POST', url: '/v1/incidents/inc_nope/communications', payload });
    expect(missing.statusCode).toBe(404);
  });

  it('drafts a staff-written update in the update template, from the default sender', async () => {
    const res = await as(
      h.app,
      'key',
    )({
      method: 'POST',
      url: `/v1/incidents/${h.incidentId}/communications`,
      payload: { kind: 'update', segment: 'affected', body: 'We are still watching the help desk closely.' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'draft',
      from: 'Acme Status <status@acme.example>',
      sender: null,
      current_version: { template: 'incident-update', body: 'We are still watching the help desk closely.' },
    });
    const preview = await as(
      h.app,
      'key',
    )({ method: 'GET', url: `/v1/communications/${res.json().id}/preview?format=text` });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('We are still watching the help desk closely.');
  });

  it('edits into new versions, lists them, diffs them, and refuses edits once cancelled', async () => {
    const draft = await draftApology(h);
    const api = as(h.app, h.comms);
    const edited = await api({
      method: 'PATCH',
      url: `/v1/communications/${draft.id}`,
      payload: { subject: 'I am sorry about Monday' },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().current_version).toMatchObject({ version: 2, subject: 'I am sorry about Monday' });
    expect(edited.json().current_version.content_hash).not.toBe(
      (await api({ method: 'GET', url: `/v1/communications/${draft.id}/versions` })).json().data[0]
        .content_hash,
    );
    const versions = await api({ method: 'GET', url: `/v1/communications/${draft.id}/versions?diff=1..2` });
    expect(versions.json().data.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    // Authors by name: the drafting user "casey" made both versions.
    expect(
      versions
        .json()
        .data.map((v: { created_by: string; created_by_name: string }) => [v.created_by, v.created_by_name]),
    ).toEqual([
      [`user:${h.comms.userId}`, 'casey'],
      [`user:${h.comms.userId}`, 'casey'],
    ]);
    expect(versions.json().diff).toContain('-Subject: About the disruption on 15 May 2017');
    expect(versions.json().diff).toContain('+Subject: I am sorry about Monday');
    expect(
      (await api({ method: 'GET', url: `/v1/communications/${draft.id}/versions?diff=1-2` })).statusCode,
    ).toBe(400);
    expect(
      (await api({ method: 'GET', url: `/v1/communications/${draft.id}/versions?diff=1..9` })).statusCode,
    ).toBe(404);

    expect((await api({ method: 'POST', url: `/v1/communications/${draft.id}/cancel` })).json().status).toBe(
      'cancelled',
    );
    const late = await api({
      method: 'PATCH',
      url: `/v1/communications/${draft.id}`,
      payload: { body: 'Too late.' },
    });
    expect(late.statusCode).toBe(409);
    expect((await api({ method: 'POST', url: `/v1/communications/${draft.id}/cancel` })).statusCode).toBe(
      409,
    );

    const audit = await api({ method: 'GET', url: `/v1/audit?subject_id=${draft.id}` });
    expect(audit.statusCode).toBe(200);
    expect(audit.json().data.map((e: { action: string }) => e.action)).toEqual([
      'communication.cancel',
      'communication.edit',
      'communication.create',
    ]);
    expect(audit.json().data[1]).toMatchObject({
      actor: `user:${h.comms.userId}`,
      subject_type: 'communication',
      details: { version: 2, previous_version: 1, content_hash: edited.json().current_version.content_hash },
    });
    const page = await api({ method: 'GET', url: `/v1/audit?subject_id=${draft.id}&limit=2` });
    expect(page.json().data).toHaveLength(2);
    const rest = await api({
      method: 'GET',
      url: `/v1/audit?subject_id=${draft.id}&limit=2&cursor=${page.json().next_cursor}`,
    });
    expect(rest.json()).toMatchObject({ data: [{ action: 'communication.create' }], next_cursor: null });
    const byAction = await api({ method: 'GET', url: '/v1/audit?action=user.create' });
    expect(byAction.json().data.length).toBeGreaterThanOrEqual(4);
  });

  it('says what has changed, from the latest update about the incident', async () => {
    const incident = await as(h.app, 'key')({ method: 'GET', url: `/v1/incidents/${h.incidentId}` });
    const update = await as(
      h.app,
      'key',
    )({
      method: 'POST',
      url: '/v1/events',
      payload: incidentEvent({
        type: 'incident.update',
        incident: { ref: incident.json().ref },
        occurred_at: '2017-05-16T10:00:00Z',
        message:
          'Recovery now takes seconds instead of minutes.\nAn independent monitor checks the help desk every minute.',
      }),
    });
    expect(update.statusCode).toBe(202);
    const draft = await draftApology(h);
    expect(draft.current_version.body).toContain(
      'Here is what we have changed since:\n\n- Recovery now takes seconds instead of minutes.\n- An independent monitor',
    );
  });
});
