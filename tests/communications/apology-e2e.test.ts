import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communications } from '../../src/db/schema.js';
import { type RunningWorkers, startWorkers } from '../../src/delivery/workers.js';
import { drivers } from '../support/database.js';
import { FakeResend } from '../support/fake-resend.js';
import { waitForWorkers } from '../support/workers.js';
import { type ApologyHarness, as, draftApology, startApologyHarness } from './apology-harness.js';

describe.each(drivers)('executive apology, end to end through the Resend fake (%s)', (driver) => {
  let resend: FakeResend;
  let h: ApologyHarness;
  let workers: RunningWorkers;

  beforeAll(async () => {
    resend = await new FakeResend({ rps: Number.POSITIVE_INFINITY }).start();
    h = await startApologyHarness(driver, {
      env: { RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.url, CANDOR_RESEND_RPS: '50' },
    });
    workers = startWorkers(h.deps, { queueNamePrefix: h.deps.queueNamePrefix });
  });
  afterAll(async () => {
    await workers?.close();
    await h?.close();
    await resend?.close();
  });

  it('incident → drafted apology → edited → submitted → approved through the link → sent as the executive', async () => {
    expect(h.deps.transport.name).toBe('resend');
    const comms = as(h.app, h.comms);
    const draft = await draftApology(h);

    const edited = await comms({
      method: 'PATCH',
      url: `/v1/communications/${draft.id}`,
      payload: { body: `${draft.current_version.body}\n\nThank you for staying with us.` },
    });
    expect(edited.json().current_version.version).toBe(2);

    const submitted = await comms({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    expect(submitted.json()).toMatchObject({
      status: 'pending_approval',
      version: 2,
      approval_email: 'sent',
    });
    const request = resend.deliveries.find((d) => d.to.includes(h.alex.email));
    expect(request).toBeDefined();
    expect(request!.from).toBe('Acme Status <status@acme.example>');
    const link = /http:\/\/localhost:3000(\/v1\/approvals\/[^"\s<)]+)/.exec(request!.text ?? '')?.[1];
    expect(link).toBeDefined();

    const page = await h.app.inject({ method: 'GET', url: link! });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Thank you for staying with us.');
    const approved = await h.app.inject({
      method: 'POST',
      url: link!,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=approve',
    });
    expect(approved.statusCode).toBe(200);

    const sent = await comms({ method: 'POST', url: `/v1/communications/${draft.id}/send` });
    expect(sent.statusCode).toBe(200);
    await waitForWorkers([workers.fanout, workers.send], async () => {
      const [row] = await h.deps.database.db
        .select()
        .from(communications)
        .where(eq(communications.id, draft.id));
      return row?.status === 'sent';
    });

    const letters = resend.deliveries.filter(
      (d) => d.tags.some((t) => t.value === draft.id) && !d.to.includes(h.alex.email),
    );
    expect(letters.map((d) => d.to[0]).sort()).toEqual(['cto@northwind.example', 'ops@northwind.example']);
    const replyTos = new Set<string>();
    for (const letter of letters) {
      expect(letter.from).toMatch(/^"?Alex Rivera"? <alex@acme\.example>$/);
      const replyTo = Array.isArray(letter.reply_to) ? letter.reply_to[0]! : letter.reply_to!;
      expect(replyTo).toMatch(/^"Alex Rivera" <reply\+[a-z2-7]+@replies\.acme\.example>$/);
      replyTos.add(replyTo);
      expect(letter.subject).toBe('About the disruption on 15 May 2017');
      expect(letter.text).toContain('Thank you for staying with us.');
      expect(letter.text).toMatch(/Alex Rivera/);
      // Each customer reads their own minutes, never the placeholder the executive approved.
      expect(letter.text).toMatch(/about 7 minutes/);
      expect(letter.text).not.toContain('{{minutes_affected}}');
    }
    expect(replyTos.size).toBe(2);

    const state = await comms({ method: 'GET', url: `/v1/communications/${draft.id}` });
    expect(state.json()).toMatchObject({
      status: 'sent',
      approval: { decision: 'approved', version: 2, approver: h.alex.userId },
      counts: { sent: 2 },
    });
    const audit = await comms({ method: 'GET', url: `/v1/audit?subject_id=${draft.id}` });
    expect(audit.json().data.map((e: { action: string }) => e.action)).toEqual([
      'communication.send',
      'communication.approve',
      'communication.submit',
      'communication.edit',
      'communication.create',
    ]);
  });
});
