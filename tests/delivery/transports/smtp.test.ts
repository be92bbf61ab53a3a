import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmtpTransport } from '../../../src/delivery/transports/smtp.js';
import { TransientTransportError } from '../../../src/delivery/transports/transport.js';
import { outgoing } from './fixtures.js';
import { LoopbackSmtp } from './smtp-relay.js';

const batch = (n: number) =>
  Array.from({ length: n }, (_, i) => outgoing(`msg_${i}`, `person${i}@globex.example`, i));

describe('SmtpTransport', () => {
  const server = new LoopbackSmtp();
  let transport: SmtpTransport;

  beforeAll(async () => {
    await server.start();
    transport = new SmtpTransport({ url: `smtp://127.0.0.1:${server.port}`, timeoutMs: 2_000 });
  });
  beforeEach(() => {
    server.received.length = 0;
    server.answers.clear();
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it('relays every e-mail with Candor’s headers', async () => {
    const emails = batch(3);
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 's1' });
    expect(outcomes.map((o) => o.ok && o.providerId)).toEqual(
      emails.map((e) => `smtp:${e.headers['Message-ID']}`),
    );
    expect(server.received.map((m) => m.to).sort()).toEqual(emails.map((e) => [e.to]).sort());
    const mail = server.received.find((m) => m.to[0] === emails[0]!.to)!;
    expect(mail.from).toBe('status@acme.example');
    const parsed = await PostalMime.parse(mail.data);
    expect(parsed.from).toEqual({ name: 'Acme Status', address: 'status@acme.example' });
    expect(parsed.to).toEqual([{ name: '', address: emails[0]!.to }]);
    expect(parsed.messageId).toBe(emails[0]!.headers['Message-ID']);
    expect(parsed.replyTo).toEqual([{ name: 'Dana Smith, CEO', address: 'reply+tok0@replies.acme.example' }]);
    expect(parsed.subject).toBe(emails[0]!.subject);
    expect(parsed.html).toContain('Some customers in the US see errors.');
    expect(parsed.text).toContain('Some customers in the US see errors.');
    expect(mail.data).toMatch(/^Content-Type: multipart\/alternative;/im);
  });

  it('sends exactly the extra headers the Resend transport sends, once each', async () => {
    const [email] = batch(1);
    await transport.sendBatch([email!], { idempotencyKey: 's1h' });
    const parsed = await PostalMime.parse(server.received[0]!.data);
    // The Resend transport passes `email.headers` as they are; SMTP must put the same on the wire.
    for (const [name, value] of Object.entries(email!.headers)) {
      const found = parsed.headers.filter((h) => h.key === name.toLowerCase());
      expect(found, name).toHaveLength(1);
      expect(found[0]!.value, name).toBe(value);
    }
    expect(Object.keys(email!.headers)).toEqual(
      expect.arrayContaining(['List-Unsubscribe', 'List-Unsubscribe-Post', 'In-Reply-To', 'References']),
    );
  });

  it('keeps its pooled connections open across batches', async () => {
    const before = server.connections;
    for (let round = 0; round < 3; round++) {
      await transport.sendBatch(batch(6), { idempotencyKey: `pool-${round}` });
    }
    expect(server.received).toHaveLength(18);
    // Three pooled connections at most (the default), reused by every later batch.
    expect(server.connections - before).toBeLessThanOrEqual(3);
  });

  it('fails a rejected recipient alone', async () => {
    server.answers.set('person1@globex.example', { code: 550, text: '5.1.1 no such user' });
    const outcomes = await transport.sendBatch(batch(3), { idempotencyKey: 's2' });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ permanent: true, error: expect.stringMatching(/550/) });
  });

  it('retries a temporary failure without re-sending what already went out', async () => {
    server.answers.set('person2@globex.example', { code: 451, text: '4.3.0 try again later' });
    const emails = batch(3);
    await expect(transport.sendBatch(emails, { idempotencyKey: 's3' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
    expect(server.received).toHaveLength(2);
    server.answers.clear();
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 's3' });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(server.received.map((m) => m.to[0]).sort()).toEqual(emails.map((e) => e.to));
  });

  it('treats an unreachable relay as transient', async () => {
    const nowhere = new SmtpTransport({ url: 'smtp://127.0.0.1:9', timeoutMs: 1_000 });
    await expect(nowhere.sendBatch(batch(1), { idempotencyKey: 's4' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
    await nowhere.close();
  });
});
