import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  mapResendError,
  ResendTransport,
  retryAfterMs,
  sanitizeTag,
} from '../../../src/delivery/transports/resend.js';
import {
  PermanentTransportError,
  QuotaExceededError,
  RateLimitedError,
  TransientTransportError,
} from '../../../src/delivery/transports/transport.js';
import { FakeResend } from '../../support/fake-resend.js';
import { outgoing } from './fixtures.js';

const batch = (n: number, prefix = 'msg') =>
  Array.from({ length: n }, (_, i) => outgoing(`${prefix}_${i}`, `person${i}@globex.example`, i));

describe('ResendTransport against FakeResend', () => {
  const fake = new FakeResend({ rps: Number.POSITIVE_INFINITY });
  let transport: ResendTransport;

  beforeAll(async () => {
    await fake.start();
    transport = new ResendTransport({ apiKey: 're_test_key', baseUrl: fake.url, timeoutMs: 2_000 });
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('sends a batch and links every provider id to its message', async () => {
    const emails = batch(3);
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'send-1' });
    expect(fake.deliveries).toHaveLength(3);
    expect(outcomes).toEqual(
      fake.deliveries.map((d, i) => ({ messageId: emails[i]!.messageId, ok: true, providerId: d.id })),
    );
    const [first] = fake.deliveries;
    expect(first).toMatchObject({
      from: emails[0]!.from,
      to: [emails[0]!.to],
      reply_to: emails[0]!.replyTo,
      subject: emails[0]!.subject,
      html: emails[0]!.html,
      text: emails[0]!.text,
      headers: emails[0]!.headers,
      idempotencyKey: 'send-1',
      tags: [
        { name: 'communication', value: 'com_01abc' },
        { name: 'message', value: 'msg_0' },
      ],
    });
    expect(fake.requests[0]).toMatchObject({ path: '/emails/batch', batchValidation: 'permissive' });
  });

  it('replays a retried key: same ids, one delivery per recipient', async () => {
    const emails = batch(3);
    const first = await transport.sendBatch(emails, { idempotencyKey: 'send-2' });
    const second = await transport.sendBatch(emails, { idempotencyKey: 'send-2' });
    expect(second).toEqual(first);
    expect([...fake.deliveryCountByRecipient().values()]).toEqual([1, 1, 1]);
  });

  it('maps 429 to RateLimitedError with retry-after in ms', async () => {
    const limited = new FakeResend({ rps: 1 });
    await limited.start();
    try {
      const t = new ResendTransport({ apiKey: 're_test_key', baseUrl: limited.url });
      await t.sendBatch(batch(1), { idempotencyKey: 'a' });
      const error = await t.sendBatch(batch(1, 'other'), { idempotencyKey: 'b' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(1_000);
      expect(limited.deliveries).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });

  it('maps an exhausted quota to QuotaExceededError', async () => {
    fake.exceedQuota('daily');
    await expect(transport.sendBatch(batch(1), { idempotencyKey: 'q' })).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    expect(fake.deliveries).toHaveLength(0);
  });

  it('maps 500 to TransientTransportError and succeeds on retry', async () => {
    fake.failNext(1, 500);
    const emails = batch(2);
    await expect(transport.sendBatch(emails, { idempotencyKey: 'f' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'f' });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.deliveries).toHaveLength(2);
  });

  it('treats a lost answer as transient; the retry under the same key does not deliver twice', async () => {
    fake.dropNextAnswers(1);
    const emails = batch(3);
    await expect(transport.sendBatch(emails, { idempotencyKey: 'drop' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
    expect(fake.deliveries).toHaveLength(3);
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'drop' });
    expect(outcomes.map((o) => o.ok && o.providerId)).toEqual(fake.deliveries.map((d) => d.id));
    expect([...fake.deliveryCountByRecipient().values()]).toEqual([1, 1, 1]);
  });

  it('treats a concurrent request under the same key as transient', async () => {
    fake.delay(300);
    const emails = batch(2);
    const results = await Promise.allSettled([
      transport.sendBatch(emails, { idempotencyKey: 'conc' }),
      new Promise((r) => setTimeout(r, 50)).then(() =>
        transport.sendBatch(emails, { idempotencyKey: 'conc' }),
      ),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status === 'rejected' && results[1].reason).toBeInstanceOf(TransientTransportError);
    expect(fake.deliveries).toHaveLength(2);
  });

  it('treats the same key with another body as permanent', async () => {
    await transport.sendBatch(batch(1), { idempotencyKey: 'same' });
    await expect(transport.sendBatch(batch(2), { idempotencyKey: 'same' })).rejects.toBeInstanceOf(
      PermanentTransportError,
    );
  });

  it('fails only the invalid e-mails of a batch', async () => {
    const emails = batch(4);
    emails[1] = { ...emails[1]!, to: 'not-an-address' };
    emails[3] = { ...emails[3]!, subject: '' };
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'partial' });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    expect(outcomes[1]).toMatchObject({
      messageId: 'msg_1',
      permanent: true,
      error: expect.stringMatching(/address/),
    });
    expect(outcomes[3]).toMatchObject({
      messageId: 'msg_3',
      permanent: true,
      error: expect.stringMatching(/subject/),
    });
    expect(fake.deliveries.map((d) => d.to[0])).toEqual(['person0@globex.example', 'person2@globex.example']);
    expect(outcomes[2]).toMatchObject({ ok: true, providerId: fake.deliveries[1]!.id });
  });

  it('treats bad credentials as permanent', async () => {
    const wrong = new ResendTransport({ apiKey: 're_wrong', baseUrl: fake.url });
    await expect(wrong.sendBatch(batch(1), { idempotencyKey: 'auth' })).rejects.toBeInstanceOf(
      PermanentTransportError,
    );
  });

  it('gives up on a slow answer as transient', async () => {
    fake.delay(500);
    const impatient = new ResendTransport({ apiKey: 're_test_key', baseUrl: fake.url, timeoutMs: 100 });
    await expect(impatient.sendBatch(batch(1), { idempotencyKey: 'slow' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
  });

  it('treats an unreachable API as transient', async () => {
    const nowhere = new ResendTransport({ apiKey: 're_test_key', baseUrl: 'http://127.0.0.1:9' });
    await expect(nowhere.sendBatch(batch(1), { idempotencyKey: 'net' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
  });
});

describe('Resend error mapping', () => {
  const error = (statusCode: number | null, name: string) =>
    ({ statusCode, name, message: 'x' }) as Parameters<typeof mapResendError>[0];

  it.each([
    [null, 'application_error', TransientTransportError],
    [500, 'internal_server_error', TransientTransportError],
    [503, 'application_error', TransientTransportError],
    [429, 'rate_limit_exceeded', RateLimitedError],
    [429, 'daily_quota_exceeded', QuotaExceededError],
    [429, 'monthly_quota_exceeded', QuotaExceededError],
    [409, 'concurrent_idempotent_requests', TransientTransportError],
    [409, 'invalid_idempotent_request', PermanentTransportError],
    [401, 'missing_api_key', PermanentTransportError],
    [403, 'invalid_api_key', PermanentTransportError],
    [422, 'validation_error', PermanentTransportError],
    [400, 'invalid_idempotency_key', PermanentTransportError],
  ])('%s %s', (status, name, expected) => {
    expect(mapResendError(error(status, name), { 'retry-after': '3' })).toBeInstanceOf(expected);
  });

  it('reads retry-after as seconds or an HTTP date, else ratelimit-reset, else one second', () => {
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3_000);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6_000);
    expect(retryAfterMs({ 'ratelimit-reset': '2' })).toBe(2_000);
    expect(retryAfterMs(null)).toBe(1_000);
  });

  it('sanitises tags to what Resend accepts', () => {
    expect(sanitizeTag('com_01abc')).toBe('com_01abc');
    expect(sanitizeTag('a.b c/é')).toBe('a_b_c__');
    expect(sanitizeTag('')).toBe('_');
    expect(sanitizeTag('x'.repeat(300))).toHaveLength(256);
  });
});
