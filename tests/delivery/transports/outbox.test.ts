import { eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../../src/db/schema.js';
import { OutboxTransport } from '../../../src/delivery/transports/outbox.js';
import { PermanentTransportError } from '../../../src/delivery/transports/transport.js';
import { drivers, openTestDatabase, type TestDatabase } from '../../support/database.js';
import { outgoing, seedMessages } from './fixtures.js';

describe.each(drivers)('OutboxTransport on %s', (driver) => {
  let database: TestDatabase;
  const date = new Date('2017-05-15T14:10:00Z');

  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('stores the complete MIME message of every e-mail', async () => {
    const emails = await seedMessages(database.db, 3);
    const transport = new OutboxTransport(database.db, { now: () => date });
    const outcomes = await transport.sendBatch(emails, { idempotencyKey: 'k1' });

    expect(outcomes).toHaveLength(3);
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome).toMatchObject({ messageId: emails[i]!.messageId, ok: true });
      expect(outcome.ok && outcome.providerId).toMatch(/^outbox:obx_/);
    }
    const email = emails[1]!;
    const [row] = await database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.messageId, email.messageId));
    expect(row).toMatchObject({ to: email.to, from: email.from, subject: email.subject });
    expect(outcomes[1]).toMatchObject({ providerId: `outbox:${row!.id}` });

    const parsed = await PostalMime.parse(row!.mime);
    expect(parsed.from).toMatchObject({ name: 'Acme Status', address: 'status@acme.example' });
    expect(parsed.to).toEqual([{ name: '', address: email.to }]);
    expect(parsed.replyTo).toEqual([{ name: 'Dana Smith, CEO', address: 'reply+tok1@replies.acme.example' }]);
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.messageId).toBe(`<${email.messageId}@acme.example>`);
    expect(parsed.inReplyTo).toBe('<first@acme.example>');
    expect(parsed.references).toBe('<first@acme.example>');
    expect(new Date(parsed.date!).toISOString()).toBe(date.toISOString());
    // postal-mime keeps the line break that precedes the closing boundary.
    expect(parsed.text?.trimEnd()).toBe(email.text.trimEnd());
    expect(parsed.html?.trimEnd()).toBe(email.html);
    const header = (key: string) => parsed.headers.find((h) => h.key === key)?.value;
    expect(header('list-unsubscribe')).toBe('<https://candor.example/u/abc>');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header('content-type')).toMatch(/^multipart\/alternative/);
    expect(row!.mime.split('\r\n').filter((l) => /^message-id:/i.test(l))).toHaveLength(1);
  });

  it('is idempotent: a retried batch stores nothing new and answers the same ids', async () => {
    const emails = await seedMessages(database.db, 2);
    const transport = new OutboxTransport(database.db);
    const first = await transport.sendBatch(emails.slice(0, 1), { idempotencyKey: 'k2' });
    const retry = await transport.sendBatch(emails, { idempotencyKey: 'k2' });
    expect(retry[0]).toEqual(first[0]);
    expect(retry[1]).toMatchObject({ ok: true });
    expect(retry[1]).not.toEqual(retry[0]);
    const again = await transport.sendBatch(emails, { idempotencyKey: 'k2' });
    expect(again).toEqual(retry);
    for (const email of emails) {
      const rows = await database.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.messageId, email.messageId));
      expect(rows).toHaveLength(1);
    }
  });

  it('fails one e-mail that cannot be composed, not the batch', async () => {
    const emails = await seedMessages(database.db, 2);
    const bad = { ...emails[0]!, headers: { ...emails[0]!.headers, 'X-Evil': 'a\r\nBcc: x@evil.example' } };
    const outcomes = await new OutboxTransport(database.db).sendBatch([bad, emails[1]!], {
      idempotencyKey: 'k3',
    });
    expect(outcomes[0]).toMatchObject({ ok: false, permanent: true, messageId: bad.messageId });
    expect(outcomes[1]).toMatchObject({ ok: true });
    const rows = await database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.messageId, bad.messageId));
    expect(rows).toHaveLength(0);
  });

  it('refuses e-mails without a message row', async () => {
    const transport = new OutboxTransport(database.db);
    await expect(
      transport.sendBatch([outgoing('msg_missing', 'x@globex.example')], { idempotencyKey: 'k4' }),
    ).rejects.toBeInstanceOf(PermanentTransportError);
  });

  it('answers an empty batch with no outcomes', async () => {
    expect(await new OutboxTransport(database.db).sendBatch([], { idempotencyKey: 'k5' })).toEqual([]);
  });
});
