import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ComposeInput, composeEmail } from '../../../src/delivery/compose.js';
import { ResendTransport } from '../../../src/delivery/transports/resend.js';
import {
  type OutgoingEmail,
  RateLimitedError,
  TransientTransportError,
} from '../../../src/delivery/transports/transport.js';
import { noticeVersion, sendingNotice } from '../../support/compose-inputs.js';
import { testConfig } from '../../support/deps.js';
import { FakeResend } from '../../support/fake-resend.js';

const deps = { config: testConfig(), signingSecret: Buffer.from('s'.repeat(32)) };

const communication = sendingNotice({ id: 'com_tpl', incidentId: 'inc_tpl', recipients: 3 });

const versionWith = noticeVersion;

/** Names that need escaping in HTML but not in text, and characters outside ASCII. */
const names = ['Globex', 'Initech & Sons <"quoted">', "Zoë's Café"];

async function composed(version: ComposeInput['version'], prefix = 'msg'): Promise<OutgoingEmail[]> {
  return Promise.all(
    names.map((customerName, i) =>
      composeEmail(deps, {
        communication,
        version,
        recipient: {
          messageId: `${prefix}_${i}`,
          email: `person${i}@globex.example`,
          messageIdHeader: `${prefix}_${i}@acme.example`,
          contactId: `con_${i}`,
          contactName: i === 1 ? null : `Dana ${i}`,
          customerName,
        },
      }),
    ),
  );
}

describe('ResendTransport with templates', () => {
  const fake = new FakeResend({ rps: Number.POSITIVE_INFINITY });
  // Three recipients a batch here: every body counts as shared unless a test says otherwise.
  const transportOf = (options: { templates?: boolean; templateMinEmails?: number } = {}) =>
    new ResendTransport({
      apiKey: 're_test_key',
      baseUrl: fake.url,
      timeoutMs: 2_000,
      templateMinEmails: 1,
      ...options,
    });

  beforeAll(() => fake.start());
  beforeEach(() => {
    fake.reset();
    fake.templates.all.clear();
  });
  afterAll(() => fake.close());

  it('sends each shared body once as a published template; Resend renders exactly the finished e-mails', async () => {
    const emails = await composed(versionWith('Errors loading the help desk'));
    // Two recipient shapes (with and without a contact name): two templates.
    expect(new Set(emails.map((e) => e.templated?.template.key)).size).toBe(2);
    const paced: string[] = [];
    const transport = transportOf();
    // A paced sender prepares the batch (each template request in its own slot), then sends it.
    await transport.prepareBatch(emails, {
      pace: async () => {
        paced.push('slot');
      },
    });
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'tpl-1' });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.templateRequests.map((r) => `${r.method} ${r.path.replace(/candor-\w+/, 'ALIAS')}`)).toEqual([
      'POST /templates',
      'POST /templates/ALIAS/publish',
      'POST /templates',
      'POST /templates/ALIAS/publish',
    ]);
    expect(paced).toHaveLength(4);
    expect(fake.deliveries.map((d) => d.template)).toEqual(
      emails.map((e) => `candor-${e.templated!.template.key}`),
    );
    for (const [i, delivery] of fake.deliveries.entries()) {
      expect(delivery.html).toBe(emails[i]!.html);
      expect(delivery.text).toBe(emails[i]!.text);
      expect(delivery.subject).toBe(emails[i]!.subject);
    }
    expect(fake.deliveries[1]!.html).toContain('Initech &amp; Sons &lt;&quot;quoted&quot;&gt;');
    expect(fake.deliveries[1]!.text).toContain('Initech & Sons <"quoted">');

    // The next batch of the same bodies asks nothing more of the templates API.
    await transport.sendBatch(await composed(versionWith('Errors loading the help desk'), 'again'), {
      idempotencyKey: 'tpl-2',
    });
    expect(fake.templateRequests).toHaveLength(4);
    expect(fake.deliveries).toHaveLength(6);
  });

  it('a second process finds the template the first created under the same alias', async () => {
    const emails = await composed(versionWith('Slow dashboards'));
    await transportOf().sendBatch(emails, { idempotencyKey: 'tpl-3' });
    const created = fake.templates.all.size;
    await transportOf().sendBatch(emails, { idempotencyKey: 'tpl-4' });
    expect(fake.templates.all.size).toBe(created);
    expect(
      fake.templateRequests
        .filter((r) => r.method === 'POST' && r.path === '/templates')
        .map((r) => r.status),
    ).toEqual([201, 201, 409, 409]);
    expect(fake.templateRequests.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([200, 200]);
    expect(fake.deliveries.slice(3).map((d) => d.html)).toEqual(emails.map((e) => e.html));
  });

  it('a retry after a failed template request sends the same body under the same key', async () => {
    const emails = await composed(versionWith('Login failures'));
    const transport = transportOf();
    fake.failNextTemplateRequests(1, 500);
    await expect(transport.sendBatch(emails, { idempotencyKey: 'tpl-5' })).rejects.toBeInstanceOf(
      TransientTransportError,
    );
    expect(fake.requests).toHaveLength(0);
    fake.rateLimitNext(1, 2);
    await expect(transport.sendBatch(emails, { idempotencyKey: 'tpl-5' })).rejects.toMatchObject({
      constructor: RateLimitedError,
      retryAfterMs: 2_000,
    });
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'tpl-5' });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.deliveryCountByRecipient().get('person0@globex.example')).toBe(1);
  });

  it('sends finished HTML when templates are off, when the key may only send, and when copy holds {{', async () => {
    const emails = await composed(versionWith('Errors loading the help desk'));
    await transportOf({ templates: false }).sendBatch(emails, { idempotencyKey: 'tpl-6' });
    expect(fake.templateRequests).toHaveLength(0);
    expect(fake.deliveries.map((d) => d.template)).toEqual([undefined, undefined, undefined]);

    fake.reset();
    const restricted = transportOf();
    fake.failNextTemplateRequests(1, 401, 'restricted_api_key');
    const outcomes = await restricted.sendBatch(emails, { idempotencyKey: 'tpl-7' });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.deliveries.map((d) => [d.template, d.html])).toEqual(emails.map((e) => [undefined, e.html]));
    await restricted.sendBatch(emails, { idempotencyKey: 'tpl-8' });
    expect(fake.templateRequests).toHaveLength(1);

    // A template Resend refuses (here: 422 on create, and no template under the alias) goes finished.
    fake.reset();
    const refusing = transportOf();
    fake.failNextTemplateRequests(1, 422, 'validation_error');
    const sent = await refusing.sendBatch(emails.slice(0, 1), { idempotencyKey: 'tpl-9' });
    expect(sent[0]?.ok).toBe(true);
    expect(fake.templateRequests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 422],
      ['GET', 404],
    ]);
    expect(fake.deliveries[0]).toMatchObject({ template: undefined, html: emails[0]!.html });

    // A body fewer e-mails of the batch share than the threshold goes finished: no template requests.
    fake.reset();
    const search = await composed(versionWith('Search is slow'));
    await transportOf({ templateMinEmails: 2 }).sendBatch(search, { idempotencyKey: 'tpl-10' });
    // Recipients 0 and 2 share a body (both have a contact name); recipient 1's is theirs alone.
    expect(search[0]!.templated!.template.key).toBe(search[2]!.templated!.template.key);
    expect(fake.templateRequests.filter((r) => r.path === '/templates')).toHaveLength(1);
    expect(fake.deliveries.map((d) => d.template !== undefined)).toEqual([true, false, true]);
    expect(fake.deliveries.map((d) => d.html)).toEqual(search.map((e) => e.html));

    const braces = await composed(versionWith('Errors in {{ticket}} views', 'Use }} less.'));
    expect(braces.map((e) => e.templated)).toEqual([undefined, undefined, undefined]);
  });
});
