import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalRedis, type LocalRedis, redisAnswers } from '../../src/redis/local-server.js';
import { freePort } from '../support/net.js';
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
 * Redis taken away mid-send. Each scenario has a redis-server of its own (AOF on, as Candor runs it),
 * because a restart or a FLUSHALL of the shared test Redis would break whatever else runs on it.
 */
describe.runIf(process.env.DATABASE_URL)('fault: Redis lost mid-send', () => {
  const logger = pino({ level: 'silent' });
  const children = new Children();
  let dir: string;
  let url: string;
  let redis: LocalRedis | null = null;
  let stack: Stack;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'candor-fault-redis-'));
  });
  afterEach(async () => {
    await children.killAll();
    await stack?.close();
    await redis?.stop();
    redis = null;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function startRedis(name: string) {
    url = `redis://127.0.0.1:${await freePort()}`;
    redis = await ensureLocalRedis(url, path.join(dir, name), logger, { anyLoopbackPort: true });
  }

  /** Slow provider answers stretch the send so the fault lands between the first batch and the last. */
  async function sendUntilFirstBatch(ref: string) {
    stack = await startStack({ redisUrl: url });
    stack.resend.delay(400);
    children.spawn('src/worker.ts', stack.workerEnv({ CANDOR_SEND_CONCURRENCY: '1' }));
    const notice = await postNotice(stack, ref);
    await until('first batch accepted', () => stack.resend.accepted > 0);
    // Mid-send for real: at least one batch has yet to go when the fault lands.
    expect(stack.resend.accepted).toBeLessThan(AUDIENCE);
    return notice;
  }

  it('restarted (SIGTERM, AOF replayed on start): queued jobs survive and every recipient gets one', async () => {
    await startRedis('restart');
    const { eventId, communicationId } = await sendUntilFirstBatch('redis-restart');
    await redis?.stop();
    await sleep(1_000);
    redis = await ensureLocalRedis(url, path.join(dir, 'restart'), logger, { anyLoopbackPort: true });
    stack.resend.delay(0);
    await untilSent(stack, communicationId);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  it('killed (SIGKILL, up to a second of AOF lost) and restarted: what Redis lost, the sweeper restores', async () => {
    await startRedis('kill');
    const { eventId, communicationId } = await sendUntilFirstBatch('redis-kill');
    const admin = new Redis(url);
    const info = await admin.info('server').finally(() => admin.disconnect());
    process.kill(Number(info.match(/process_id:(\d+)/)?.[1]), 'SIGKILL');
    await until('Redis down', async () => !(await redisAnswers(url, 200)), 10_000);
    redis = await ensureLocalRedis(url, path.join(dir, 'kill'), logger, { anyLoopbackPort: true });
    stack.resend.delay(0);
    await untilSent(stack, communicationId, 75_000);
    await expectExactlyOnce(stack, eventId, communicationId);
  });

  // The worker's sweeper re-enqueues queued rows after CANDOR_SWEEP_GRACE_SECONDS (2 s in the harness).
  it('flushed (FLUSHALL): the sweeper rebuilds the queue from the database, nothing twice', async () => {
    await startRedis('flush');
    const { eventId, communicationId } = await sendUntilFirstBatch('redis-flush');
    const admin = new Redis(url);
    try {
      await admin.flushall();
    } finally {
      admin.disconnect();
    }
    stack.resend.delay(0);
    await untilSent(stack, communicationId, 75_000);
    await expectExactlyOnce(stack, eventId, communicationId);
  });
});
