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
    // 10 requests a second: slots 105 ms apart (100 ms and the pacer's 5% of slack).
    const paced = pacedTransport(transport, new RequestPacer(redis, key, 10));
    await paced.sendBatch([], { idempotencyKey: 'k' });
    expect(sent.map((s) => s.what)).toEqual(['create template', 'publish template', 'batch']);
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    // Without the batch waiting for a slot after the prepared requests, its gap would be ~0. Each gap is
    // ~105 ms between departures; measured here, after each request's Redis round trips, it can come out
    // shorter when the machine is busy (97 ms in a loaded CI run, under 80 once in a full test run).
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(50);
  });

  it.each([
    [1000, 40],
    [5, 2],
  ])(
    'spaces the slots at %i req/s by the rate and 5%% to spare, whatever the rate',
    async (rps, requests) => {
      const rateKey = `test:pace:${randomUUID()}`;
      try {
        const before = Date.now();
        // All requests ask at once; each gets the next free slot, and the key holds the one after the last.
        await Promise.all(
          Array.from({ length: requests }, () => new RequestPacer(redis, rateKey, rps).wait()),
        );
        const spanned = Number(await redis.get(rateKey)) - before;
        const expected = (requests * 1050) / rps;
        // A fixed 10 ms a request, as before, gave 440 ms for the 40 at 1,000 req/s.
        expect(spanned).toBeGreaterThanOrEqual(expected);
        expect(spanned).toBeLessThan(expected + 20);
      } finally {
        await redis.del(rateKey);
      }
    },
  );

  it('records a process’s first request as leaving late, which holds back the request rps places later', async () => {
    const coldKey = `test:pace:${randomUUID()}`;
    try {
      const pacer = new RequestPacer(redis, coldKey, 5); // slots 210 ms apart
      const left: number[] = [];
      for (let i = 0; i < 6; i++) {
        const asked = Date.now();
        await pacer.wait();
        left.push(Date.now());
        const recorded = Number(await redis.lindex(`${coldKey}:departed`, 0));
        // The first is recorded 250 ms after it was let go; the others as they go.
        if (i === 0) expect(recorded).toBeGreaterThanOrEqual(asked + 250);
        else expect(recorded).toBeLessThanOrEqual(left[i]!);
      }
      // On its slot and the window alone, the sixth would leave ~1,050 ms after the first.
      expect(left[5]! - left[0]!).toBeGreaterThanOrEqual(1250);
    } finally {
      await redis.del(coldKey, `${coldKey}:departed`);
    }
  });

  it('then moves that record to the first request’s answer, the latest it can have reached the provider', async () => {
    const answerKey = `test:pace:${randomUUID()}`;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const asked: Record<string, number> = {};
    const transport: Transport = {
      name: 'resend',
      prepareBatch: async (_emails, { pace }) => {
        for (const what of ['create template', 'publish template']) {
          await pace?.();
          asked[what] = Date.now();
          await sleep(20); // the provider's answer
        }
      },
      sendBatch: async () => {
        asked.batch = Date.now();
        await sleep(20);
        return [];
      },
      close: async () => {},
    };
    try {
      await pacedTransport(transport, new RequestPacer(redis, answerKey, 5)).sendBatch([], {
        idempotencyKey: 'k',
      });
      const [batch, publish, create] = (await redis.lrange(`${answerKey}:departed`, 0, -1)).map(Number);
      // Recorded when its answer was in (before the next request was paced), not 250 ms after release.
      expect(create).toBeGreaterThanOrEqual(asked['create template']! + 20);
      expect(create).toBeLessThanOrEqual(asked['publish template']!);
      // The others as they left.
      expect(publish).toBeLessThanOrEqual(asked['publish template']!);
      expect(batch).toBeLessThanOrEqual(asked.batch!);
    } finally {
      await redis.del(answerKey, `${answerKey}:departed`);
    }
  });

  it('never lets a sliding second hold more than the rate, even when requests leave late', async () => {
    const lateKey = `test:pace:${randomUUID()}`;
    try {
      const pacer = new RequestPacer(redis, lateKey, 4); // slots 262.5 ms apart
      const started = performance.now();
      const left: number[] = [];
      const waits = Array.from({ length: 6 }, () => pacer.wait().then(() => left.push(performance.now())));
      await new Promise((resolve) => setTimeout(resolve, 20)); // all six slots reserved by now
      // The event loop is busy past the second and third slots: both leave late, next to the fourth.
      while (performance.now() < started + 780) {}
      await Promise.all(waits);
      left.sort((a, b) => a - b);
      // Any five in a row leave 1,050 ms apart or more (the window), as Redis sees it; the callbacks that
      // record them here may run late on a busy machine, hence 950. On their slots alone, the sixth
      // would leave at ~1,312 ms with four others since ~780 ms: 531 ms for five, measured.
      for (let i = 0; i + 4 < left.length; i++) expect(left[i + 4]! - left[i]!).toBeGreaterThanOrEqual(950);
    } finally {
      await redis.del(lateKey, `${lateKey}:departed`);
    }
  });
});
