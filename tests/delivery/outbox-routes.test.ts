import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Transport } from '../../src/delivery/transports/transport.js';
import {
  type ApologyHarness,
  as,
  draftApology,
  startApologyHarness,
} from '../communications/apology-harness.js';
import { drivers } from '../support/database.js';
import { createTestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY } from '../support/fixtures.js';

describe.each(drivers)('outbox routes (%s)', (driver) => {
  let h: ApologyHarness;
  beforeAll(async () => {
    // No provider configured: the outbox transport keeps what is "sent".
    h = await startApologyHarness(driver);
  });
  afterAll(() => h?.close());

  it('lists captured messages newest first and shows one parsed, with its MIME source', async () => {
    expect(h.deps.transport.name).toBe('outbox');
    const comms = as(h.app, h.comms);
    for (const segment of ['affected-enterprise', 'affected']) {
      const draft = await draftApology(h, segment);
      await comms({ method: 'POST', url: `/v1/communications/${draft.id}/submit` });
    }
    const list = await comms({ method: 'GET', url: '/v1/outbox?to=alex&limit=1' });
    expect(list.statusCode).toBe(200);
    const [item] = list.json().data;
    expect(item).toMatchObject({
      message_id: null,
      communication_id: null,
      to: h.alex.email,
      from: 'Acme Status <status@acme.example>',
    });
    expect(item.size).toBeGreaterThan(100);
    expect(list.json().next_cursor).not.toBeNull();
    const next = await comms({
      method: 'GET',
      url: `/v1/outbox?to=alex&limit=1&cursor=${list.json().next_cursor}`,
    });
    expect(next.json().data).toHaveLength(1);
    expect(next.json().data[0].id < item.id).toBe(true);
    expect((await comms({ method: 'GET', url: '/v1/outbox?to=nobody%25' })).json().data).toEqual([]);

    const view = await comms({ method: 'GET', url: `/v1/outbox/${item.id}` });
    expect(view.statusCode).toBe(200);
    const message = view.json();
    expect(message.subject).toBe(item.subject);
    expect(message.headers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Subject', value: item.subject })]),
    );
    expect(message.text).toContain('/v1/approvals/');
    expect(message.html).toContain('<html');
    expect(message.mime).toMatch(/^[\s\S]*MIME-Version: 1\.0/);
    expect((await comms({ method: 'GET', url: '/v1/outbox/obx_nope' })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/v1/outbox' })).statusCode).toBe(401);
  });

  it('answers 404 outbox_inactive when another transport sends the mail', async () => {
    const resend: Transport = { name: 'resend', sendBatch: async () => [], close: async () => {} };
    const deps = await createTestDeps(driver, {
      env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY },
      transport: resend,
    });
    const app = await buildApp(deps);
    try {
      const res = await app.inject({ method: 'GET', url: '/v1/outbox', headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('outbox_inactive');
      expect(res.json().error.message).toContain('resend');
    } finally {
      await app.close();
      await deps.close();
    }
  });
});
