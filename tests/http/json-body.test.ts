import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { incidentEvents } from '../../src/db/schema.js';
import { HELD, useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { auth, incidentEvent } from '../support/fixtures.js';

describe.each(drivers)('JSON request bodies (%s)', (driver) => {
  const t = useTestApp(driver, { env: { ...HELD }, seedAudience: true });

  const postRaw = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json' },
      payload,
    });

  it('stores lone surrogates as U+FFFD instead of failing, and keeps escaped pairs whole', async () => {
    const event = incidentEvent({
      incident: { ref: 'half-an-emoji', title: 'Search \ud83d down \ud83d\ude80' },
      message: 'Errors \udc00 again',
    });
    // JSON.stringify writes a lone surrogate as a `\ud83d` escape and a pair as the character itself;
    // the pair is escaped here too, as other senders write it.
    const payload = JSON.stringify(event).replace('\ud83d\ude80', '\\ud83d\\ude80');
    expect(payload).toContain('\\ud83d down \\ud83d\\ude80');
    const response = await postRaw(payload);
    expect(response.statusCode).toBe(202);

    const incident = await t.app.inject({
      method: 'GET',
      url: `/v1/incidents/${response.json().incident_id}`,
      headers: auth,
    });
    expect(incident.json().title).toBe('Search \ufffd down \ud83d\ude80');
    const [stored] = await t.deps.database.db
      .select({ payload: incidentEvents.payload, message: incidentEvents.message })
      .from(incidentEvents)
      .where(eq(incidentEvents.id, response.json().event_id));
    expect(stored).toMatchObject({
      message: 'Errors \ufffd again',
      payload: { incident: { title: 'Search \ufffd down \ud83d\ude80' } },
    });
  });

  it('still answers malformed, empty and prototype-poisoning bodies with 400 validation_failed', async () => {
    for (const payload of ['{"id": "evt_1", ', '', '{"__proto__": {"x": 1}, "id": "evt_2"}', '"\\ud800']) {
      const response = await postRaw(payload);
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().error.code, payload).toBe('validation_failed');
    }
  });
});
