import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApprovalMismatchError,
  approvalPayloadHash,
  approvedContentHash,
  assertApprovedForSend,
} from '../../src/communications/approvals.js';
import { contentHash } from '../../src/communications/versions.js';
import { communications, communicationVersions } from '../../src/db/schema.js';
import { drivers } from '../support/database.js';
import {
  type ApologyHarness,
  as,
  CapturingTransport,
  communicationRow as communicationOf,
  draftApology,
  startApologyHarness,
  versionRow as versionOf,
} from './apology-harness.js';

describe.each(drivers)('approving apologies by session (%s)', (driver) => {
  let h: ApologyHarness;
  const transport = new CapturingTransport();
  beforeAll(async () => {
    h = await startApologyHarness(driver, { transport });
  });
  afterAll(() => h?.close());
  const versionRow = (id: string, version: number) => versionOf(h, id, version);
  const communicationRow = (id: string) => communicationOf(h, id);

  it('only the named executive may approve: 403 for comms, admins and other executives', async () => {
    const draft = await draftApology(h);
    const url = `/v1/communications/${draft.id}/approve`;
    for (const who of [h.comms, h.admin, h.blake]) {
      const res = await as(h.app, who)({ method: 'POST', url, payload: { version: 1 } });
      expect(res.statusCode).toBe(403);
    }
    expect((await as(h.app, 'key')({ method: 'POST', url, payload: { version: 1 } })).statusCode).toBe(403);
    const ok = await as(h.app, h.alex)({ method: 'POST', url, payload: { version: 1 } });
    expect(ok.statusCode).toBe(200);
    const version = await versionRow(draft.id, 1);
    expect(ok.json()).toMatchObject({
      status: 'approved',
      approval: {
        decision: 'approved',
        approver: h.alex.userId,
        version: 1,
        content_hash: approvalPayloadHash(await communicationRow(draft.id), version),
      },
    });
    expect(await approvedContentHash(h.deps.database.db, draft.id)).toBe(ok.json().approval.content_hash);
  });

  it('approving an older version is 409 stale_version', async () => {
    const draft = await draftApology(h);
    await as(
      h.app,
      h.comms,
    )({
      method: 'PATCH',
      url: `/v1/communications/${draft.id}`,
      payload: { body: 'I am sorry. We let you down.' },
    });
    const res = await as(
      h.app,
      h.alex,
    )({ method: 'POST', url: `/v1/communications/${draft.id}/approve`, payload: { version: 1 } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('stale_version');
  });

  it('an edit after approval voids it, and send answers 409 until the new version is approved', async () => {
    const draft = await draftApology(h);
    const api = as(h.app, h.comms);
    await as(
      h.app,
      h.alex,
    )({ method: 'POST', url: `/v1/communications/${draft.id}/approve`, payload: { version: 1 } });
    const edited = await api({
      method: 'PATCH',
      url: `/v1/communications/${draft.id}`,
      payload: { subject: 'Sorry' },
    });
    expect(edited.json()).toMatchObject({ status: 'draft', approval: null, current_version: { version: 2 } });
    const refused = await api({ method: 'POST', url: `/v1/communications/${draft.id}/send` });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('not_approved');
    await as(
      h.app,
      h.alex,
    )({ method: 'POST', url: `/v1/communications/${draft.id}/approve`, payload: { version: 2 } });
    const cancelled = await api({ method: 'POST', url: `/v1/communications/${draft.id}/cancel` });
    expect(cancelled.json().status).toBe('cancelled');
  });

  it('the send-time check refuses a version changed behind the approval', async () => {
    const draft = await draftApology(h);
    await as(
      h.app,
      h.alex,
    )({ method: 'POST', url: `/v1/communications/${draft.id}/approve`, payload: { version: 1 } });
    const db = h.deps.database.db;
    await expect(
      assertApprovedForSend(db, await communicationRow(draft.id), await versionRow(draft.id, 1)),
    ).resolves.toBeUndefined();

    // Tampered body, content hash left alone.
    await db
      .update(communicationVersions)
      .set({ body: 'Something else entirely.' })
      .where(and(eq(communicationVersions.communicationId, draft.id), eq(communicationVersions.version, 1)));
    await expect(
      assertApprovedForSend(db, await communicationRow(draft.id), await versionRow(draft.id, 1)),
    ).rejects.toThrow(ApprovalMismatchError);
    // Tampered props with a recomputed content hash: the approval's payload hash still differs.
    const original = await versionRow(draft.id, 1);
    const forged = {
      template: original.template,
      subject: original.subject,
      body: original.body,
      props: { ...original.props, companyName: 'Evil Corp' },
    };
    await db
      .update(communicationVersions)
      .set({ props: forged.props, contentHash: contentHash(forged) })
      .where(eq(communicationVersions.id, original.id));
    await expect(
      assertApprovedForSend(db, await communicationRow(draft.id), await versionRow(draft.id, 1)),
    ).rejects.toThrow(/differs from the content that was approved|stored content hash/);
    // A changed From (someone else's address) is not what was approved either.
    await db
      .update(communications)
      .set({ from: 'Mallory <mallory@acme.example>' })
      .where(eq(communications.id, draft.id));
    const send = await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/send` });
    expect(send.statusCode).toBe(409);
  });

  it('rejects by session only for the named executive, and audits every step with hashes', async () => {
    const draft = await draftApology(h);
    const url = `/v1/communications/${draft.id}/reject`;
    expect((await as(h.app, h.comms)({ method: 'POST', url, payload: { reason: 'no' } })).statusCode).toBe(
      403,
    );
    const res = await as(
      h.app,
      h.alex,
    )({ method: 'POST', url, payload: { reason: 'Say more about what changed.' } });
    expect(res.json()).toMatchObject({
      status: 'draft',
      approval: { decision: 'rejected', reason: 'Say more about what changed.' },
    });
    await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    await as(
      h.app,
      h.alex,
    )({ method: 'POST', url: `/v1/communications/${draft.id}/approve`, payload: { version: 1 } });
    const sent = await as(h.app, h.comms)({ method: 'POST', url: `/v1/communications/${draft.id}/send` });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().status).toBe('scheduled');
    const audit = await as(h.app, h.alex)({ method: 'GET', url: `/v1/audit?subject_id=${draft.id}` });
    expect(audit.json().data.map((e: { action: string }) => e.action)).toEqual([
      'communication.send',
      'communication.approve',
      'communication.submit',
      'communication.reject',
      'communication.create',
    ]);
    for (const entry of audit.json().data) {
      expect(entry.details.version).toBe(1);
      expect(entry.details.content_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(audit.json().data[0].details.approved_payload_hash).toBe(
      audit.json().data[1].details.approved_payload_hash,
    );
  });
});
