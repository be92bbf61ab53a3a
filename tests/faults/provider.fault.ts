import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResendTransport } from '../../src/delivery/transports/resend.js';
import { type RunningWorkers, startWorkers } from '../../src/delivery/workers.js';
import { expectExactlyOnce, postNotice, type Stack, startStack, until, untilSent } from './harness.js';

/**
 * The provider misbehaves: rate-limit storms, 500s, answers slower than the transport's timeout, and
 * answers lost after the e-mails were accepted. In-process (no process faults here), on PostgreSQL when
 * DATABASE_URL is set, else PGlite. The transport times out after 500 ms instead of its 30 s default,
 * which the config does not expose (see BENCHMARKS.md).
 */
describe('fault: provider misbehaves', () => {
  let stack: Stack;
  let workers: RunningWorkers;

  beforeAll(async () => {
    stack = await startStack({
      driver: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      transport: (fake) => new ResendTransport({ apiKey: 're_test_key', baseUrl: fake.url, timeoutMs: 500 }),
    });
    workers = startWorkers(stack.deps);
  });
  afterAll(async () => {
    await workers?.close();
    await stack?.close();
  });

  // A storm also meets the requests that create the notice's templates, which pause the queue alike.
  const statuses = () => [...stack.resend.templateRequests, ...stack.resend.requests].map((r) => r.status);

  it('429 storm: the whole queue pauses for retry-after, then resumes', async () => {
    stack.resend.reset();
    stack.resend.rateLimitNext(8, 1);
    const { eventId, communicationId } = await postNotice(stack, 'storm-429');
    await untilSent(stack, communicationId);
    expect(statuses().filter((s) => s === 429)).toHaveLength(8);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  it('500s: retried with backoff under the same idempotency key', async () => {
    stack.resend.reset();
    stack.resend.failNext(4, 500);
    const { eventId, communicationId } = await postNotice(stack, 'provider-500');
    await untilSent(stack, communicationId);
    expect(statuses().filter((s) => s === 500)).toHaveLength(4);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  it('timeouts: the provider accepts after the client gave up; the retry is answered as a replay', async () => {
    stack.resend.reset();
    stack.resend.delay(1_200);
    const { eventId, communicationId } = await postNotice(stack, 'provider-timeout');
    await until('two timed-out requests', () => stack.resend.requests.length >= 2);
    await until('the slow requests were processed', () => stack.resend.accepted >= 100, 10_000);
    stack.resend.delay(0);
    await untilSent(stack, communicationId);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  it('dropped answers: delivered, then the socket dies; the retry is a replay', async () => {
    stack.resend.reset();
    stack.resend.dropNextAnswers(3);
    const { eventId, communicationId } = await postNotice(stack, 'provider-drop');
    await untilSent(stack, communicationId);
    expect(statuses().filter((s) => s === null)).toHaveLength(3);
    await expectExactlyOnce(stack, eventId, communicationId);
  });
});
