import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { idempotencyKeys, incidentEvents, incidents } from '../../src/db/schema.js';
import {
  IDEMPOTENCY_KEY_TTL_MS,
  purgeExpiredIdempotencyKeys,
  requestHash,
} from '../../src/incidents/idempotency.js';
import { HELD, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth, incidentEvent } from '../support/fixtures.js';
import { fixture, formBody } from './fixtures/load.js';

describe.each(drivers)('Idempotency-Key (%s)', (driver) => {
  const t = useTestApp(driver, { env: HELD });

  const post = (payload: unknown, key?: string, url = '/v1/events') =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload: payload as object,
    });
  const eventsOf = async (eventId: string) => {
    const [row] = await t.deps.database.db
      .select({ value: count() })
      .from(incidentEvents)
      .where(eq(incidentEvents.eventId, eventId));
    return row?.value;
  };

  it('answers a retry with the same key and body with the stored status and body', async () => {
    const event = incidentEvent({ incident: { ref: 'idem-replay' } });
    const first = await post(event, 'key-replay');
    expect(first.statusCode).toBe(202);
    const again = await post({ ...event }, 'key-replay');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await eventsOf(event.id)).toBe(1);
  });

  it('treats key order and defaulted fields as the same body', async () => {
    const { notify: _notify, ...event } = incidentEvent({ incident: { ref: 'idem-order' } });
    const first = await post(event, 'key-order');
    const reordered = Object.fromEntries(Object.entries({ ...event, notify: true }).reverse());
    const again = await post(reordered, 'key-order');
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.json()).toEqual(first.json());
  });

  it('refuses the same key with a different body (409 idempotency_key_reused), applying nothing', async () => {
    const event = incidentEvent({ incident: { ref: 'idem-conflict' } });
    expect((await post(event, 'key-conflict')).statusCode).toBe(202);
    const other = incidentEvent({ incident: { ref: 'idem-conflict-other' } });
    const reused = await post(other, 'key-conflict');
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('idempotency_key_reused');
    expect(await eventsOf(other.id)).toBe(0);
    // Another endpoint is another request, even with an equal body.
    const elsewhere = await post(fixture('uptimerobot-down'), 'key-conflict', '/v1/integrations/uptimerobot');
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json().error.code).toBe('idempotency_key_reused');
  });

  it('still dedupes on the event id when a retry comes without the key', async () => {
    const event = incidentEvent({ incident: { ref: 'idem-plain' } });
    expect((await post(event, 'key-plain')).statusCode).toBe(202);
    const plain = await post(event);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().duplicate).toBe(true);
  });

  it('applies concurrent requests with one key exactly once, all answering alike', async () => {
    const event = incidentEvent({ incident: { ref: 'idem-concurrent' } });
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(event, 'key-concurrent')));
    // The others wait on the uncommitted key row, then replay the stored answer; none runs the work again.
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(202));
    for (const r of responses) expect(r.json()).toEqual(responses[0]!.json());
    expect(responses.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await eventsOf(event.id)).toBe(1);
  });

  it('applies concurrent different events with one key at most once (the losers get 409)', async () => {
    const events = Array.from({ length: 6 }, (_, i) =>
      incidentEvent({ incident: { ref: `idem-race-${i}` } }),
    );
    const responses = await Promise.all(events.map((e) => post(e, 'key-race')));
    expect(responses.filter((r) => r.statusCode === 202)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(5);
    let applied = 0;
    for (const e of events) applied += (await eventsOf(e.id)) ?? 0;
    expect(applied).toBe(1);
  });

  it('stores a refusal too: the retry gets the same 409 even after the state changed', async () => {
    const ref = 'idem-refused';
    const resolve = incidentEvent({ type: 'incident.resolved', incident: { ref } });
    const refused = await post(resolve, 'key-refused');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('unknown_incident');
    expect((await post(incidentEvent({ incident: { ref } }))).statusCode).toBe(202);
    const retry = await post(resolve, 'key-refused');
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toEqual(refused.json());
    expect(await eventsOf(resolve.id)).toBe(0);
    // Without the key the same event applies now.
    expect((await post(resolve)).statusCode).toBe(202);
  });

  it('answers 409 idempotency_key_in_use with retry-after while a key has no answer yet', async () => {
    // A reserved key without an answer: what a crash between reserving and answering would leave behind.
    const event = incidentEvent({ incident: { ref: 'idem-busy' } });
    await t.deps.database.db.insert(idempotencyKeys).values({
      principal: 'bootstrap',
      key: 'key-busy',
      requestHash: requestHash('POST /v1/events', event),
    });
    const busy = await post(event, 'key-busy');
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.code).toBe('idempotency_key_in_use');
    expect(busy.headers['retry-after']).toBe('1');
    expect(await eventsOf(event.id)).toBe(0);
  });

  it('validates the key: at most 255 printable ASCII characters', async () => {
    const event = incidentEvent({ incident: { ref: 'idem-invalid' } });
    for (const key of ['x'.repeat(256), 'tab\tkey', 'schlüssel', '']) {
      const response = await post(event, key);
      expect(response.statusCode, JSON.stringify(key)).toBe(400);
      expect(response.json().error.details[0].path).toBe('headers.idempotency-key');
    }
    expect((await post(event, 'k'.repeat(255))).statusCode).toBe(202);
    expect(await eventsOf(event.id)).toBe(1);
  });

  it('replays adapter requests too, JSON or form alike', async () => {
    const down = fixture('uptimerobot-down');
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/integrations/uptimerobot',
      headers: {
        ...auth,
        'idempotency-key': 'key-uptime',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: formBody(down),
    });
    expect(first.statusCode).toBe(202);
    const again = await post(down, 'key-uptime', '/v1/integrations/uptimerobot');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  });

  it('frees keys after 24 h and purges old rows', async () => {
    const event = incidentEvent({ incident: { ref: 'idem-expired' } });
    expect((await post(event, 'key-expired')).statusCode).toBe(202);
    const dayAgo = new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 1000);
    await t.deps.database.db
      .update(idempotencyKeys)
      .set({ createdAt: dayAgo })
      .where(eq(idempotencyKeys.key, 'key-expired'));
    // An expired key is a new key: another body is accepted instead of 409.
    const other = incidentEvent({ incident: { ref: 'idem-expired-2' } });
    expect((await post(other, 'key-expired')).statusCode).toBe(202);

    await t.deps.database.db
      .update(idempotencyKeys)
      .set({ createdAt: dayAgo })
      .where(eq(idempotencyKeys.key, 'key-plain'));
    const removed = await purgeExpiredIdempotencyKeys(
      t.deps.database.db,
      new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS),
    );
    expect(removed).toBe(1);
    const left = await t.deps.database.db
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.key, 'key-plain'));
    expect(left).toEqual([]);
    const [kept] = await t.deps.database.db.select({ value: count() }).from(incidents);
    expect(kept?.value).toBeGreaterThan(0);
  });
});
