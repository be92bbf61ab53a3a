import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import {
  Children,
  expectExactlyOnce,
  postNotice,
  type Stack,
  startStack,
  until,
  untilSent,
} from './harness.js';

/**
 * A worker process SIGKILLed before, during and after its provider call, while other batches of the same
 * communication are still to go; a second worker takes over once the 2 s job lock lapses.
 */
describe.runIf(process.env.DATABASE_URL)('fault: worker SIGKILLed around the provider call', () => {
  let stack: Stack;
  const children = new Children();
  // One job at a time, so exactly one request is in the air when the kill lands.
  const worker = () => children.spawn('src/worker.ts', stack.workerEnv({ CANDOR_SEND_CONCURRENCY: '1' }));

  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await children.killAll();
    stack.resend.reset();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('before the call: the held request dies unprocessed; the next worker sends it once', async () => {
    const arrived = stack.resend.holdRequests();
    const first = worker();
    const { eventId, communicationId } = await postNotice(stack, 'kill-before');
    await arrived;
    await children.kill(first);
    stack.resend.release();
    worker();
    await untilSent(stack, communicationId);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  it('during the call: the provider accepts, the answer finds no one; the retry is a replay', async () => {
    stack.resend.delay(1_500);
    const first = worker();
    const { eventId, communicationId } = await postNotice(stack, 'kill-during');
    await until('a provider request', () => stack.resend.requests.length > 0);
    await children.kill(first);
    stack.resend.delay(0);
    worker();
    await untilSent(stack, communicationId);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  it('after the call: killed as the answer arrives, before the outcome is recorded', async () => {
    let first: ChildProcess | undefined;
    let answered = 0;
    stack.resend.onAnswered = () => {
      // After the second batch, so one batch is recorded, one is in doubt and one is untouched.
      if (++answered === 2) first?.kill('SIGKILL');
    };
    first = worker();
    const exited = new Promise((resolve) => first?.once('exit', resolve));
    const { eventId, communicationId } = await postNotice(stack, 'kill-after');
    await exited;
    stack.resend.onAnswered = undefined;
    worker();
    await untilSent(stack, communicationId);
    await expectExactlyOnce(stack, eventId, communicationId);
  });
});
