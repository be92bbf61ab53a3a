import { afterEach, describe, expect, it } from 'vitest';
import { FakeResend } from '../../support/fake-resend.js';

/** Loose on purpose: tests read whichever fields the answer has. */
type FakeAnswer = { id?: string; data?: { id: string }[]; message?: string; name?: string };

const email = (to: string, extra: Record<string, unknown> = {}) => ({
  from: 'Acme <status@acme.example>',
  to: [to],
  subject: 'Hello',
  text: 'Hi',
  ...extra,
});

describe('FakeResend', () => {
  let fake: FakeResend;
  let clock = 0;
  afterEach(() => fake?.close());

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer re_test_key', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as FakeAnswer,
    };
  }

  async function start(rps = Number.POSITIVE_INFINITY) {
    clock = 1_000_000;
    fake = await new FakeResend({ rps, now: () => clock }).start();
  }

  it('checks the bearer token', async () => {
    await start();
    expect((await post('/emails', email('a@b.example'), { authorization: '' })).status).toBe(401);
    const wrong = await post('/emails', email('a@b.example'), { authorization: 'Bearer nope' });
    expect(wrong).toMatchObject({ status: 403, body: { name: 'invalid_api_key', statusCode: 403 } });
    expect(fake.deliveries).toHaveLength(0);
  });

  it('sends single e-mails and batches with UUID ids', async () => {
    await start();
    const single = await post('/emails', email('a@b.example'));
    expect(single.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const batch = await post('/emails/batch', [email('c@d.example'), email('e@f.example')]);
    expect(batch.body.data).toHaveLength(2);
    expect(fake.deliveries.map((d) => d.to[0])).toEqual(['a@b.example', 'c@d.example', 'e@f.example']);
  });

  it('rejects a whole batch in strict mode, naming the bad e-mail', async () => {
    await start();
    const answer = await post('/emails/batch', [
      email('a@b.example'),
      email('a@b.example', { subject: undefined }),
    ]);
    expect(answer).toMatchObject({ status: 422, body: { name: 'validation_error' } });
    expect(answer.body.message).toMatch(/emails\[1\].*subject/);
    expect(fake.deliveries).toHaveLength(0);
  });

  it('rejects more than 100 e-mails and bad tags', async () => {
    await start();
    const many = Array.from({ length: 101 }, (_, i) => email(`p${i}@b.example`));
    expect((await post('/emails/batch', many)).status).toBe(422);
    const tagged = email('a@b.example', { tags: [{ name: 'x', value: 'a.b' }] });
    expect((await post('/emails/batch', [tagged])).status).toBe(422);
  });

  it('rate-limits per second with retry-after and ratelimit headers', async () => {
    await start(2);
    expect((await post('/emails', email('a@b.example'))).status).toBe(200);
    expect((await post('/emails', email('a@b.example'))).status).toBe(200);
    const limited = await post('/emails', email('a@b.example'));
    expect(limited).toMatchObject({ status: 429, body: { name: 'rate_limit_exceeded' } });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('ratelimit-limit')).toBe('2');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    clock += 1_000;
    expect((await post('/emails', email('a@b.example'))).status).toBe(200);
    expect(fake.deliveries).toHaveLength(3);
  });

  it('remembers idempotency keys for 24 hours, successes only', async () => {
    await start();
    const key = { 'idempotency-key': 'k' };
    const first = await post('/emails/batch', [email('a@b.example')], key);
    expect(await post('/emails/batch', [email('a@b.example')], key)).toMatchObject({ body: first.body });
    expect(fake.deliveries).toHaveLength(1);
    clock += 24 * 3600 * 1000;
    expect((await post('/emails/batch', [email('a@b.example')], key)).body).not.toEqual(first.body);
    expect(fake.deliveries).toHaveLength(2);

    const other = { 'idempotency-key': 'k2' };
    expect((await post('/emails/batch', [email('not-an-address')], other)).status).toBe(422);
    expect((await post('/emails/batch', [email('c@d.example')], other)).status).toBe(200);
  });

  it('injects failures and drops answers after delivering', async () => {
    await start();
    fake.failNext(2, 503);
    expect((await post('/emails', email('a@b.example'))).status).toBe(503);
    expect((await post('/emails', email('a@b.example'))).status).toBe(503);
    fake.dropNextAnswers(1);
    await expect(post('/emails', email('a@b.example'))).rejects.toThrow();
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, null]);
    fake.exceedQuota('monthly');
    expect(await post('/emails', email('a@b.example'))).toMatchObject({
      status: 429,
      body: { name: 'monthly_quota_exceeded' },
    });
  });
});
