import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { pacedTransport, RequestPacer } from '../../src/delivery/pacer.js';
import type { Transport } from '../../src/delivery/transports/transport.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

describe('pacedTransport', () => {
  const key = `test:pace:${randomUUID()}`;
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('gives the requests a batch prepares their own slots before the batch takes its own', async () => {
    const sent: { what: string; at: number }[] = [];
    const transport: Transport = {
      name: 'resend',
      prepareBatch: async (_emails, { pace }) => {
        for (const what of ['create template', 'publish template']) {
          await pace?.();
          sent.push({ what, at: performance.now() });
        }
      },
      sendBatch: async () => {
        sent.push({ what: 'batch', at: performance.now() });
        return [];
      },
      close: async () => {},
    };
    // 10 requests a second: slots 110 ms apart (100 ms and the pacer's 10 ms of slack).
    const paced = pacedTransport(transport, new RequestPacer(redis, key, 10));
    await paced.sendBatch([], { idempotencyKey: 'k' });
    expect(sent.map((s) => s.what)).toEqual(['create template', 'publish template', 'batch']);
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    // Without the batch waiting for a slot after the prepared requests, its gap would be ~0.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(100);
  });
});
