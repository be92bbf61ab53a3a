import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHourlyDigest } from '../../src/replies/digest-schedule.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

describe('the hourly reply digest', () => {
  let a: TestDeps;
  beforeAll(async () => {
    a = await createTestDeps('pglite');
  });
  afterAll(() => a.close());

  it('is taken by exactly one replica per hour', async () => {
    const now = new Date();
    const results = await Promise.all([
      sendHourlyDigest(a, now),
      sendHourlyDigest(a, now),
      sendHourlyDigest(a, now),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const nextHour = new Date(now.getTime() + 60 * 60 * 1000);
    expect(await sendHourlyDigest(a, nextHour)).toBe(true);
  });
});
