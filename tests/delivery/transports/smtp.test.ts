import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmtpTransport } from '../../../src/delivery/transports/smtp.js';
import { TransientTransportError } from '../../../src/delivery/transports/transport.js';
import { FakeSmtp } from './fake-smtp.js';
import { outgoing } from './fixtures.js';

const batch = (n: number) =>
  Array.from({ length: n }, (_, i) => outgoing(`msg_${i}`, `person${i}@globex.example`, i));

describe('SmtpTransport', () => {
  const server = new FakeSmtp();
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
    expect(server.received.map((m) => m.to)).toEqual(emails.map((e) => [e.to]));
    const mail = server.received.find((m) => m.to[0] === emails[0]!.to)!;
    expect(mail.from).toBe('status@acme.example');
    const parsed = await PostalMime.parse(mail.data);
    expect(parsed.messageId).toBe(emails[0]!.headers['Message-ID']);
    expect(parsed.replyTo).toEqual([{ name: 'Dana Smith, CEO', address: 'reply+tok0@replies.acme.example' }]);
    expect(parsed.subject).toBe(emails[0]!.subject);
    expect(parsed.html).toContain('Some customers in the US see errors.');
  });

  it('fails a rejected recipient alone', async () => {
    server.answers.set('person1@globex.example', '550 5.1.1 no such user');
    const outcomes = await transport.sendBatch(batch(3), { idempotencyKey: 's2' });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ permanent: true, error: expect.stringMatching(/550/) });
  });

  it('retries a temporary failure without re-sending what already went out', async () => {
    server.answers.set('person2@globex.example', '451 4.3.0 try again later');
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
