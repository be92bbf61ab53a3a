import type { ChildProcess } from 'node:child_process';
import { inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { incidentEvents } from '../../src/db/schema.js';
import { auth, incidentEvent } from '../support/fixtures.js';
import { freePort } from '../support/net.js';
import { Children, type Stack, startStack, until } from './harness.js';

const BURST = 90;
const IN_FLIGHT = 6;

/**
 * The API process is stopped in the middle of an ingest burst and started again. The sender keeps
 * going throughout and retries every event that did not get a 2xx (as a monitor or incident tool does).
 * Whatever was acknowledged must be stored, and nothing may be stored twice.
 */
describe.runIf(process.env.DATABASE_URL)('fault: API restarted during an ingest burst', () => {
  let stack: Stack;
  const children = new Children();

  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await children.killAll();
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function startApi(port: number): Promise<ChildProcess> {
    const child = children.spawn(
      'src/api.ts',
      stack.workerEnv({ PORT: String(port), HOST: '127.0.0.1', CANDOR_NOTICE_HOLD_SECONDS: '86400' }),
    );
    await until(
      'API listening',
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      45_000,
    );
    return child;
  }

  async function post(port: number, event: ReturnType<typeof incidentEvent>): Promise<number | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(10_000),
      });
      return response.status;
    } catch {
      return null; // refused, reset or timed out: the sender cannot know whether it was stored
    }
  }

  it.each([['SIGTERM'], ['SIGKILL']] as const)('stopped with %s mid-burst', async (signal) => {
    const port = await freePort();
    let api = await startApi(port);
    const events = Array.from({ length: BURST }, (_, i) =>
      incidentEvent({ id: `burst-${signal}-${i}`, incident: { ref: `burst-${signal}-${i}` } }),
    );
    const acknowledged = new Set<string>();
    const pending = [...events];
    let restarted = false;
    let unanswered = 0;
    // Bounded: each round sends every pending event once; an outage costs a few rounds at most.
    for (let round = 0; round < 40 && pending.length > 0; round++) {
      const batch = pending.splice(0, IN_FLIGHT);
      const statuses = await Promise.all(batch.map((event) => post(port, event)));
      batch.forEach((event, i) => {
        const status = statuses[i] ?? null;
        if (status !== null && status >= 200 && status < 300) acknowledged.add(event.id);
        else pending.push(event);
        if (status === null) unanswered++;
      });
      if (!restarted && acknowledged.size >= BURST / 3) {
        // The stop lands while the next requests are in flight.
        const inFlight = Promise.all(pending.slice(0, IN_FLIGHT).map((event) => post(port, event)));
        await children.kill(api, signal);
        unanswered += (await inFlight).filter((s) => s === null).length;
        api = await startApi(port);
        restarted = true;
      }
    }
    expect(restarted).toBe(true);
    console.info(
      `${signal}: ${acknowledged.size} acknowledged, ${unanswered} requests unanswered and retried`,
    );
    expect(pending.map((e) => e.id)).toEqual([]);
    // A retry of an event already stored is recognised, not stored again.
    const again = await Promise.all(events.slice(0, 5).map((event) => post(port, event)));
    expect(again).toEqual([200, 200, 200, 200, 200]);

    const ids = events.map((e) => e.id);
    const rows = await stack.deps.database.db
      .select({ eventId: incidentEvents.eventId })
      .from(incidentEvents)
      .where(inArray(incidentEvents.eventId, ids));
    expect(rows).toHaveLength(BURST);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(BURST);
    expect([...acknowledged].filter((id) => !rows.some((r) => r.eventId === id))).toEqual([]);
  });
});
