import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deliveryEvents, messageProviderIds, messages, suppressions } from '../../src/db/schema.js';
import {
  applyProviderEvent,
  processPendingProviderEvents,
  storeProviderEvent,
} from '../../src/delivery/provider-events.js';
import { useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';
import { resendEvent, sentMessageFor } from './provider-fixtures.js';

describe.each(drivers)('provider events (%s)', (driver) => {
  const t = useTestApp(driver, { seedAudience: true });

  const message = async (id: string) =>
    (await t.deps.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;
  const suppressionOf = async (email: string) =>
    (await t.deps.database.db.select().from(suppressions).where(eq(suppressions.email, email)))[0];
  /** Stores and applies one event the way the worker would. */
  const deliver = async (type: string, emailId: string, extra: Record<string, unknown> = {}) => {
    const stored = await storeProviderEvent(
      t.deps.database.db,
      `msg_${randomBytes(6).toString('hex')}`,
      resendEvent(type, emailId, extra),
    );
    return applyProviderEvent(t.deps, stored.id);
  };

  it('never moves a message backwards when events arrive out of order', async () => {
    const sent = await sentMessageFor(t.deps.database.db, 'ops@northwind.example');
    expect(await deliver('email.delivered', sent.providerId)).toBe('applied');
    const deliveredAt = (await message(sent.messageId)).deliveredAt;
    expect(deliveredAt).toBeInstanceOf(Date);
    await deliver('email.delivery_delayed', sent.providerId);
    await deliver('email.sent', sent.providerId);
    expect((await message(sent.messageId)).status).toBe('delivered');

    await deliver('email.opened', sent.providerId);
    await deliver('email.clicked', sent.providerId);
    const opened = await message(sent.messageId);
    expect(opened.status).toBe('delivered');
    expect(opened.openedAt).toBeInstanceOf(Date);
    expect(opened.deliveredAt).toEqual(deliveredAt);

    // A complaint after delivery is news and outranks it.
    await deliver('email.complained', sent.providerId);
    expect((await message(sent.messageId)).status).toBe('complained');
    await deliver('email.delivered', sent.providerId);
    expect((await message(sent.messageId)).status).toBe('complained');
    expect(await suppressionOf('ops@northwind.example')).toMatchObject({
      reason: 'complaint',
      source: 'resend',
    });
  });

  it('lets a delayed message still become delivered, and an open prove delivery', async () => {
    const sent = await sentMessageFor(t.deps.database.db, 'cto@northwind.example');
    await deliver('email.delivery_delayed', sent.providerId);
    expect((await message(sent.messageId)).status).toBe('delivery_delayed');
    await deliver('email.opened', sent.providerId);
    const row = await message(sent.messageId);
    expect(row.status).toBe('delivered');
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect(row.openedAt).toBeInstanceOf(Date);
  });

  it('marks a soft bounce without suppressing the address', async () => {
    const sent = await sentMessageFor(t.deps.database.db, 'alice@umbrella.example');
    await deliver('email.bounced', sent.providerId, {
      bounce: { type: 'Transient', subType: 'MailboxFull', message: 'mailbox full' },
    });
    expect((await message(sent.messageId)).status).toBe('bounced');
    expect(await suppressionOf('alice@umbrella.example')).toBeUndefined();
  });

  it('applies the same event twice with the effect of once', async () => {
    const sent = await sentMessageFor(t.deps.database.db, 'bill@initech.example');
    const stored = await storeProviderEvent(
      t.deps.database.db,
      'msg_twice',
      resendEvent('email.bounced', sent.providerId, {
        bounce: { type: 'Permanent', subType: 'General', message: 'x' },
      }),
    );
    expect(await applyProviderEvent(t.deps, stored.id)).toBe('applied');
    expect(await applyProviderEvent(t.deps, stored.id)).toBe('applied');
    expect(
      await storeProviderEvent(t.deps.database.db, 'msg_twice', resendEvent('email.sent', 'other')),
    ).toEqual({
      id: stored.id,
      created: false,
    });
    expect((await message(sent.messageId)).status).toBe('bounced');
    expect(await suppressionOf('bill@initech.example')).toMatchObject({ reason: 'bounce' });
  });

  it('records failed and provider-suppressed sends', async () => {
    const failed = await sentMessageFor(t.deps.database.db, 'it@globex.example');
    await deliver('email.failed', failed.providerId, { failed: { reason: 'reached_daily_quota' } });
    expect(await message(failed.messageId)).toMatchObject({
      status: 'failed',
      error: 'failed: reached_daily_quota',
    });
  });

  it('keeps an event for an unknown email id and applies it once the send worker records the id', async () => {
    const sent = await sentMessageFor(t.deps.database.db, 'it@globex.example', 're_late');
    // The webhook overtook the send worker: the provider id is not recorded yet.
    await t.deps.database.db.delete(messageProviderIds).where(eq(messageProviderIds.providerId, 're_late'));
    expect(await deliver('email.delivered', 're_late')).toBe('unmatched');
    expect(await deliver('contact.created', 're_late')).toBe('ignored');
    expect(await processPendingProviderEvents(t.deps)).toMatchObject({ applied: 0 });

    await t.deps.database.db
      .insert(messageProviderIds)
      .values({ providerId: 're_late', messageId: sent.messageId });
    const report = await processPendingProviderEvents(t.deps);
    expect(report.applied).toBe(1);
    expect((await message(sent.messageId)).status).toBe('delivered');
    const linked = await t.deps.database.db
      .select()
      .from(deliveryEvents)
      .where(eq(deliveryEvents.messageId, sent.messageId));
    expect(linked).toHaveLength(1);
  });
});
