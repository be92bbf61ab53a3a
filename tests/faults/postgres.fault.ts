import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/tcp-proxy.js';
import {
  AUDIENCE,
  Children,
  expectExactlyOnce,
  postNotice,
  type Stack,
  sleep,
  startStack,
  until,
  untilSent,
} from './harness.js';

/**
 * PostgreSQL goes away under the worker mid-send and comes back on the same address. A TCP proxy between
 * the worker and the server stands in for the restart: it cuts every connection and refuses new ones,
 * which is what the worker sees, without disturbing other tests that share the real server.
 */
describe.runIf(process.env.DATABASE_URL)('fault: PostgreSQL restarted mid-send', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  const children = new Children();

  beforeAll(async () => {
    stack = await startStack();
    const server = new URL(process.env.DATABASE_URL!);
    proxy = await new TcpProxy(server.hostname, Number(server.port || 5432)).start();
  });
  afterEach(async () => {
    await children.killAll();
  });
  afterAll(async () => {
    await proxy?.stop();
    await stack?.close();
  });

  it('the worker rides out a 3 s outage; in-doubt batches are replayed, not re-sent', async () => {
    const viaProxy = new URL(stack.deps.database.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const worker = children.spawn(
      'src/worker.ts',
      stack.workerEnv({ DATABASE_URL: viaProxy.toString(), CANDOR_SEND_CONCURRENCY: '1' }),
    );
    stack.resend.delay(400);
    const { eventId, communicationId } = await postNotice(stack, 'pg-restart');
    await until('first batch accepted', () => stack.resend.accepted > 0);
    await proxy.stop();
    expect(stack.resend.accepted).toBeLessThan(AUDIENCE);
    await sleep(3_000);
    await proxy.start(proxy.port);
    stack.resend.delay(0);
    await untilSent(stack, communicationId, 60_000);
    // The same process recovered: no restart of the worker was needed.
    expect(worker.exitCode).toBeNull();
    await expectExactlyOnce(stack, eventId, communicationId);
  });
});
