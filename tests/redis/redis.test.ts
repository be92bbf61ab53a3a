import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { assertNoEviction, createRedis, RedisPolicyError, waitForRedis } from '../../src/redis/connection.js';
import { ensureLocalRedis, RedisUnavailableError, redisAnswers } from '../../src/redis/local-server.js';
import { freePort } from '../support/net.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('local redis-server for all-in-one mode', () => {
  it('starts a child with AOF and noeviction when nothing answers, and stops it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-redis-'));
    dirs.push(dir);
    const url = `redis://127.0.0.1:${await freePort()}`;
    const local = await ensureLocalRedis(url, dir, logger, { anyLoopbackPort: true });
    expect(local).not.toBeNull();
    const redis = createRedis(url, 'producer');
    await waitForRedis(redis, 5_000);
    await assertNoEviction(redis);
    expect(((await redis.config('GET', 'appendonly')) as string[])[1]).toBe('yes');
    expect(((await redis.config('GET', 'dir')) as string[])[1]).toBe(path.join(dir, 'redis'));
    redis.disconnect();
    await local?.stop();
    expect(await redisAnswers(url)).toBe(false);
    expect((await stat(path.join(dir, 'redis'))).isDirectory()).toBe(true);
  });

  it('does nothing when Redis already answers', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-redis-'));
    dirs.push(dir);
    const first = await ensureLocalRedis(url, dir, logger, { anyLoopbackPort: true });
    expect(await ensureLocalRedis(url, dir, logger, { anyLoopbackPort: true })).toBeNull();
    await first?.stop();
  });

  it('explains how to get Redis when a configured address does not answer', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const error = await ensureLocalRedis(url, '/tmp', logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toMatch(/docker compose up -d redis/);
    expect((error as Error).message).toMatch(/apt-get install -y redis-server/);
  });

  it('refuses a Redis whose eviction policy could drop jobs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-redis-'));
    dirs.push(dir);
    const url = `redis://127.0.0.1:${await freePort()}`;
    const local = await ensureLocalRedis(url, dir, logger, { anyLoopbackPort: true });
    const redis = createRedis(url, 'producer');
    await waitForRedis(redis, 5_000);
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await expect(assertNoEviction(redis)).rejects.toBeInstanceOf(RedisPolicyError);
    await expect(assertNoEviction(redis)).rejects.toThrow(/allkeys-lru.*noeviction/);
    redis.disconnect();
    await local?.stop();
  });
});
