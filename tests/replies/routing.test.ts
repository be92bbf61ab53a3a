import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/users.js';
import { communications, outboxMessages, replies } from '../../src/db/schema.js';
import { sendReplyDigest } from '../../src/replies/digest.js';
import { processReply, startInboundWorker } from '../../src/replies/process.js';
import { replyIdForEvent } from '../../src/replies/resend-inbound.js';
import { startSmtpListener } from '../../src/replies/smtp.js';
import { factsOf } from '../../src/replies/store.js';
import { PASSWORD } from '../communications/apology-harness.js';
import { postSigned, resendEvent, webhookSecret } from '../delivery/provider-fixtures.js';
import { drivers } from '../support/database.js';
import { waitForWorkers } from '../support/workers.js';
import { FakeReceiving } from './fake-receiving.js';
import { type RepliesHarness, startRepliesHarness } from './harness.js';

const reply = (to: string, body: string, from = 'Chidi Okafor <cto@northwind.example>') =>
  `From: ${from}\r\nTo: ${to}\r\nSubject: Re: We are sorry\r\nMessage-ID: <${randomBytes(6).toString('hex')}@northwind.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;

describe.each(drivers)('routing replies: forward, digest, webhook, SMTP (%s)', (driver) => {
  let h: RepliesHarness;
  let receiving: FakeReceiving;
  const secret = webhookSecret();
  let executiveEmail: string;
  beforeAll(async () => {
    receiving = await new FakeReceiving().start();
    h = await startRepliesHarness(driver, {
      ref: `routing-${driver}`,
      env: {
        RESEND_WEBHOOK_SECRET: secret,
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: receiving.url,
        CANDOR_TRANSPORT: 'outbox',
      },
    });
    const run = randomBytes(3).toString('hex');
    executiveEmail = `alex-${run}@staff.acme.example`;
    const db = h.deps.database.db;
    const options = { senderDomains: h.deps.config.senderDomains, actor: 'system' };
    const alex = await createUser(
      db,
      {
        email: executiveEmail,
        name: 'Alex Rivera',
        role: 'executive',
        password: PASSWORD,
        sender: { name: 'Alex Rivera', email: 'alex@acme.example', title: 'CEO' },
      },
      options,
    );
    await createUser(
      db,
      { email: `casey-${run}@staff.acme.example`, name: 'Casey', role: 'comms', password: PASSWORD },
      options,
    );
    // The first communication plays the apology: what matters here is its kind and its sender.
    await db
      .update(communications)
      .set({ kind: 'apology', senderUserId: alex.id })
      .where(eq(communications.id, h.sent[0]!.communicationId));
  });
  afterAll(async () => {
    await h?.close();
    await receiving?.close();
  });

  const outboxTo = async (to: string) =>
    (await h.deps.database.db.select().from(outboxMessages)).filter((m) => m.to === to);

  it('forwards a reply to an apology to the executive, once, with the customer as Reply-To', async () => {
    const target = h.sent.find((s) => s.communicationId === h.sent[0]!.communicationId)!;
    const worker = startInboundWorker(h.deps, { queueNamePrefix: h.deps.queueNamePrefix });
    try {
      const { reply_id } = (
        await h.postMime(
          reply(target.replyAddress, 'Thank you for the honest letter, Alex.', `Customer <${target.email}>`),
        )
      ).json();
      const done = await waitForWorkers([worker], async () => {
        const [row] = await h.deps.database.db.select().from(replies).where(eq(replies.id, reply_id));
        return factsOf(row?.headers).forward === 'done' ? row : null;
      });
      expect(factsOf(done.headers).forwardedTo).toBe(executiveEmail);
      const forwarded = await outboxTo(executiveEmail);
      expect(forwarded).toHaveLength(1);
      expect(forwarded[0]!.mime).toMatch(new RegExp(`^Reply-To: ${target.email}`, 'im'));
      expect(forwarded[0]!.mime).toContain('Thank you for the honest letter, Alex.');
      expect(forwarded[0]!.mime).toMatch(/^Auto-Submitted: auto-forwarded/im);
      // Processing again (a retried job, the sweeper) sends nothing more.
      await processReply(h.deps, reply_id);
      expect(await outboxTo(executiveEmail)).toHaveLength(1);
      const auto = (
        await h.postMime(
          reply(target.replyAddress, 'Out of office', `Customer <${target.email}>`).replace(
            'Subject: Re: We are sorry',
            'Subject: Out of office',
          ),
        )
      ).json();
      await processReply(h.deps, auto.reply_id);
      expect(await outboxTo(executiveEmail)).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });

  it('sends comms staff a digest of new human replies, nothing when there are none', async () => {
    const since = new Date(Date.now() - 3600_000);
    const outcome = await sendReplyDigest(h.deps, since);
    expect(outcome.replies).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ recipients: 1, failed: 0 });
    const digests = (await h.deps.database.db.select().from(outboxMessages)).filter((m) =>
      m.to.startsWith('casey-'),
    );
    expect(digests).toHaveLength(1);
    expect(digests[0]!.mime).toContain('Thank you for the honest letter');
    expect(await sendReplyDigest(h.deps, new Date(Date.now() + 60_000))).toEqual({
      replies: 0,
      recipients: 0,
      failed: 0,
    });
  });

  it('takes email.received webhooks, fetches the message through the receiving API, and survives a provider error', async () => {
    const target = h.sent[1]!;
    const emailId = `rcv_${randomBytes(4).toString('hex')}`;
    receiving.add(emailId, {
      raw: reply(target.replyAddress, 'Got it via Resend, when is the postmortem?'),
      to: [target.replyAddress],
      from: 'cto@northwind.example',
      subject: 'Re',
    });
    receiving.failures = 1;
    const event = resendEvent('email.received', emailId, {
      to: [target.replyAddress],
      received_for: [target.replyAddress],
    });
    const svixId = `msg_${randomBytes(6).toString('hex')}`;
    const response = await postSigned(h.app, secret, event, { id: svixId });
    expect(response.statusCode).toBe(200);
    const again = await postSigned(h.app, secret, event, { id: svixId });
    expect(again.json().duplicate).toBe(true);
    const rows = (await h.deps.database.db.select().from(replies)).filter(
      (r) => factsOf(r.headers).resendEmailId === emailId,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toMatch(/^rpl_/);
    await expect(processReply(h.deps, rows[0]!.id)).rejects.toThrow(/resend receiving/);
    const outcome = await processReply(h.deps, rows[0]!.id);
    expect(outcome.analyzed).toMatchObject({ matched: true, kind: 'reply' });
    const [row] = await h.deps.database.db.select().from(replies).where(eq(replies.id, rows[0]!.id));
    expect(row).toMatchObject({
      source: 'resend',
      status: 'new',
      messageId: target.id,
      category: 'question',
    });
    expect(row!.text).toBe('Got it via Resend, when is the postmortem?');
    expect(replyIdForEvent('dev_abc')).toBe('rpl_abc');
  });

  it('runs an SMTP listener that takes only reply-domain recipients and refuses oversized mail', async () => {
    const listener = await startSmtpListener(h.deps, {
      port: 0,
      host: '127.0.0.1',
      limits: { ...(await import('../../src/replies/limits.js')).defaultInboundLimits, maxBytes: 4_000 },
    });
    const mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: listener.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      const target = h.sent[1]!;
      const info = await mailer.sendMail({
        envelope: { from: 'cto@northwind.example', to: [target.replyAddress] },
        raw: reply(target.replyAddress, 'Sent over SMTP, thanks!'),
      });
      const id = /Stored as (rpl_\w+)/.exec(info.response)?.[1];
      expect(id).toBeDefined();
      const [row] = await h.deps.database.db.select().from(replies).where(eq(replies.id, id!));
      expect(row).toMatchObject({ source: 'smtp', matched: true, messageId: target.id, category: 'thanks' });
      await expect(
        mailer.sendMail({
          envelope: { from: 'x@evil.example', to: ['someone@elsewhere.example'] },
          raw: reply('someone@elsewhere.example', 'relay me'),
        }),
      ).rejects.toMatchObject({ responseCode: 550 });
      await expect(
        mailer.sendMail({
          envelope: { from: 'x@evil.example', to: [target.replyAddress] },
          raw: reply(target.replyAddress, 'y'.repeat(10_000)),
        }),
      ).rejects.toMatchObject({ responseCode: 552 });
    } finally {
      mailer.close();
      await listener.close();
    }
  });
});
