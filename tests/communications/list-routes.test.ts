import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/database.js';
import { type ApologyHarness, as, draftApology, startApologyHarness } from './apology-harness.js';

describe.each(drivers)('communication lists, senders and draft previews (%s)', (driver) => {
  let h: ApologyHarness;
  beforeAll(async () => {
    h = await startApologyHarness(driver);
  });
  afterAll(() => h?.close());

  it('lists communications newest first, filtered by status, kind, incident and sender=me', async () => {
    const draft = await draftApology(h);
    const pending = await draftApology(h, 'affected');
    const comms = as(h.app, h.comms);
    expect((await comms({ method: 'POST', url: `/v1/communications/${pending.id}/submit` })).statusCode).toBe(
      200,
    );

    const all = await comms({ method: 'GET', url: `/v1/communications?incident_id=${h.incidentId}` });
    expect(all.statusCode).toBe(200);
    const ids = all.json().data.map((c: { id: string }) => c.id);
    expect(ids.slice(0, 2)).toEqual([pending.id, draft.id]);
    expect(all.json().data[0]).toMatchObject({
      incident_id: h.incidentId,
      incident_title: 'Errors loading the help desk',
      kind: 'apology',
      status: 'pending_approval',
      subject: pending.current_version.subject,
      version: 1,
      sender: { id: h.alex.userId, name: 'Alex Rivera', email: 'alex@acme.example', title: 'CEO' },
      counts: { sent: 0 },
    });

    const mine = await as(
      h.app,
      h.alex,
    )({
      method: 'GET',
      url: '/v1/communications?status=pending_approval&sender=me',
    });
    expect(mine.json().data.map((c: { id: string }) => c.id)).toEqual([pending.id]);
    const blakes = await as(
      h.app,
      h.blake,
    )({
      method: 'GET',
      url: '/v1/communications?status=pending_approval&sender=me',
    });
    expect(blakes.json().data).toEqual([]);
    const drafts = await comms({
      method: 'GET',
      url: '/v1/communications?status=draft,approved&kind=apology',
    });
    expect(drafts.json().data.map((c: { id: string }) => c.id)).toEqual([draft.id]);

    const first = await comms({
      method: 'GET',
      url: `/v1/communications?incident_id=${h.incidentId}&limit=1`,
    });
    expect(first.json().next_cursor).not.toBeNull();
    const second = await comms({
      method: 'GET',
      url: `/v1/communications?incident_id=${h.incidentId}&limit=1&cursor=${first.json().next_cursor}`,
    });
    expect(second.json().data[0].id).toBe(draft.id);
  });

  it('answers 400 for an unknown status and for sender=me with an API key', async () => {
    const bad = await as(h.app, h.comms)({ method: 'GET', url: '/v1/communications?status=sent,lost' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.status');
    const key = await as(h.app, 'key')({ method: 'GET', url: '/v1/communications?sender=me' });
    expect(key.statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/v1/communications' })).statusCode).toBe(401);
  });

  it('lists the executives an apology can go out as', async () => {
    const res = await as(h.app, h.comms)({ method: 'GET', url: '/v1/senders' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      data: [
        { id: h.alex.userId, name: 'Alex Rivera', email: 'alex@acme.example', title: 'CEO' },
        { id: h.blake.userId, name: 'Blake Chen', email: 'blake@acme.example', title: 'CTO' },
      ],
      next_cursor: null,
    });
  });

  it('previews and lints unsaved edits without storing them', async () => {
    const draft = await draftApology(h);
    const comms = as(h.app, h.comms);
    const body = `${draft.current_version.body}\n\nThe database vendor caused this.`;
    const res = await comms({
      method: 'POST',
      url: `/v1/communications/${draft.id}/preview`,
      payload: { subject: 'Our apology', body, segment: 'affected' },
    });
    expect(res.statusCode).toBe(200);
    const preview = res.json();
    expect(preview.headers.subject).toBe('Our apology');
    expect(preview.variant).toBe('affected');
    expect(preview.text).toContain('The database vendor caused this.');
    expect(preview.html).toContain('The database vendor caused this.');
    expect(preview.warnings.map((w: { rule: string }) => w.rule)).toEqual(
      expect.arrayContaining(['blame', 'jargon']),
    );
    const stored = await comms({ method: 'GET', url: `/v1/communications/${draft.id}` });
    expect(stored.json().current_version).toMatchObject({
      version: 1,
      subject: draft.current_version.subject,
    });

    const unchanged = await comms({
      method: 'POST',
      url: `/v1/communications/${draft.id}/preview`,
      payload: {},
    });
    expect(unchanged.json().headers.subject).toBe(draft.current_version.subject);
    const empty = await comms({
      method: 'POST',
      url: `/v1/communications/${draft.id}/preview`,
      payload: { body: '   ' },
    });
    expect(empty.statusCode).toBe(400);
    const missing = await comms({ method: 'POST', url: '/v1/communications/com_nope/preview', payload: {} });
    expect(missing.statusCode).toBe(404);
    // A session's POST needs the CSRF token, even for a preview.
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: `/v1/communications/${draft.id}/preview`,
      headers: { cookie: h.comms.headers.cookie! },
      payload: {},
    });
    expect(noCsrf.statusCode).toBe(403);
  });
});
