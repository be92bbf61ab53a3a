import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signApprovalToken } from '../../src/communications/approval-links.js';
import { approvalPayloadHash } from '../../src/communications/approvals.js';
import { drivers } from '../support/database.js';
import {
  type ApologyHarness,
  as,
  CapturingTransport,
  communicationRow as communicationOf,
  draftApology,
  linkIn,
  startApologyHarness,
  versionRow as versionOf,
} from './apology-harness.js';

describe.each(drivers)('approval requests and links (%s)', (driver) => {
  let h: ApologyHarness;
  const transport = new CapturingTransport();
  beforeAll(async () => {
    h = await startApologyHarness(driver, { transport });
  });
  afterAll(() => h?.close());
  const versionRow = (id: string, version: number) => versionOf(h, id, version);
  const communicationRow = (id: string) => communicationOf(h, id);

  it('submit e-mails the executive a single-use link and marks the apology pending', async () => {
    const draft = await draftApology(h);
    const res = await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'pending_approval', version: 1, approval_email: 'sent' });
    const mail = transport.sent.at(-1)!;
    expect(mail.to).toBe(h.alex.email);
    expect(mail.from).toBe('Acme Status <status@acme.example>');
    expect(mail.subject).toContain('About the disruption on 15 May 2017');
    const page = await h.app.inject({ method: 'GET', url: linkIn(mail) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('About the disruption on 15 May 2017');
    expect(page.body).toContain('<dd>2</dd>'); // audience size
    expect(page.body).toContain('value="approve"');
  });

  it('a link works once: approve through it, then it is refused as used (410)', async () => {
    const draft = await draftApology(h);
    await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    const url = linkIn(transport.sent.at(-1)!);
    const approve = await h.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=approve',
    });
    expect(approve.statusCode).toBe(200);
    expect(approve.body).toContain('is approved');
    const state = await as(h.app, h.comms)({ method: 'GET', url: `/v1/communications/${draft.id}` });
    expect(state.json()).toMatchObject({
      status: 'approved',
      approval: { approver: h.alex.userId, version: 1 },
    });
    for (const method of ['GET', 'POST'] as const) {
      const again = await h.app.inject({
        method,
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        ...(method === 'POST' ? { payload: 'decision=reject' } : {}),
      });
      expect(again.statusCode).toBe(410);
      expect(again.body).toContain('already used');
    }
    const audit = await as(
      h.app,
      h.comms,
    )({ method: 'GET', url: `/v1/audit?subject_id=${draft.id}&action=communication.approve` });
    expect(audit.json().data[0]).toMatchObject({
      actor: `user:${h.alex.userId}`,
      details: { via: 'link', version: 1 },
    });
  });

  it('a rejection through the link sends the apology back to draft with the reason', async () => {
    const draft = await draftApology(h);
    await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    const res = await h.app.inject({
      method: 'POST',
      url: linkIn(transport.sent.at(-1)!),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=reject&reason=Too+long',
    });
    expect(res.statusCode).toBe(200);
    const state = await as(h.app, h.comms)({ method: 'GET', url: `/v1/communications/${draft.id}` });
    expect(state.json()).toMatchObject({
      status: 'draft',
      approval: { decision: 'rejected', reason: 'Too long' },
    });
    // Submitting again yields a fresh link for the same version that works.
    await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    const fresh = await h.app.inject({ method: 'GET', url: linkIn(transport.sent.at(-1)!) });
    expect(fresh.statusCode).toBe(200);
  });

  it('refuses expired (410), forged (400) and stale (409) links, and says so', async () => {
    const draft = await draftApology(h);
    await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    const hash = approvalPayloadHash(await communicationRow(draft.id), await versionRow(draft.id, 1));
    const expired = signApprovalToken(h.deps.signingSecret, {
      communicationId: draft.id,
      version: 1,
      contentHash: hash,
      issuedAt: new Date(Date.now() - 25 * 3600 * 1000),
    });
    const old = await h.app.inject({
      method: 'POST',
      url: `/v1/approvals/${expired.token}`,
      payload: { decision: 'approve' },
    });
    expect(old.statusCode).toBe(410);
    expect(old.body).toContain('expired');

    const url = linkIn(transport.sent.at(-1)!);
    const parts = url.split('/').at(-1)!.split('.');
    parts[1] = '2'; // another version, same signature
    const forged = await h.app.inject({ method: 'GET', url: `/v1/approvals/${parts.join('.')}` });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('not valid');
    const otherSecret = signApprovalToken(Buffer.from('not the secret'), {
      communicationId: draft.id,
      version: 1,
      contentHash: hash,
    });
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/approvals/${otherSecret.token}` })).statusCode,
    ).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/v1/approvals/garbage' })).statusCode).toBe(400);

    await as(
      h.app,
      h.comms,
    )({ method: 'PATCH', url: `/v1/communications/${draft.id}`, payload: { subject: 'Changed' } });
    const stale = await h.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=approve',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('changed');
    expect((await communicationRow(draft.id)).status).toBe('draft');
  });
});
