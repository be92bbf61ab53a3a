import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { normalizeEmail } from '../audience/schemas.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import {
  deliveryEvents,
  type MessageStatus,
  messageProviderIds,
  messages,
  suppressions,
} from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { jobIds } from './queues.js';

type Deps = Pick<AppDeps, 'database' | 'logger' | 'metrics' | 'queues'>;

/** The Resend event types that change a message; anything else is stored and left alone. */
export const emailEventTypes = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.opened',
  'email.clicked',
  'email.failed',
  'email.suppressed',
] as const;
export type EmailEventType = (typeof emailEventTypes)[number];

/** What an event moves a message to; opened and clicked prove delivery, nothing more. */
const statusOf: Record<EmailEventType, MessageStatus> = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delivery_delayed',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.opened': 'delivered',
  'email.clicked': 'delivered',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
};

/**
 * How far along a message is. Webhooks arrive out of order and are retried, so a status only moves to
 * a higher rank: a late `email.sent` or `delivery_delayed` never undoes `delivered`. A bounce or a
 * complaint may still follow delivery (both are reported after the receiving server accepted the mail),
 * and a complaint outranks everything because it must never be hidden. `needs_review` ranks just above
 * `queued`: a provider event is the proof that resolves the doubt.
 */
export const statusRank: Record<MessageStatus, number> = {
  queued: 0,
  needs_review: 1,
  sent: 2,
  delivery_delayed: 3,
  delivered: 4,
  bounced: 5,
  failed: 5,
  suppressed: 5,
  complained: 6,
};

/** The statuses a message may move up from to `status` (forward-only updates). */
export const lowerThan = (status: MessageStatus) =>
  (Object.keys(statusRank) as MessageStatus[]).filter((s) => statusRank[s] < statusRank[status]);

/** The parts of a Resend (Svix-signed) event Candor reads; the full payload is stored as received. */
export interface ResendEvent {
  type: string;
  created_at?: string;
  data?: {
    email_id?: string;
    created_at?: string;
    to?: string[];
    bounce?: { type?: string; subType?: string; message?: string };
    failed?: { reason?: string };
    suppressed?: { type?: string; message?: string };
  };
}

function occurredAt(event: ResendEvent): Date {
  const parsed = Date.parse(event.created_at ?? event.data?.created_at ?? '');
  return Number.isNaN(parsed) ? new Date() : new Date(parsed);
}

/**
 * Resend reports `bounce.type` like SES: `Permanent`, `Transient` or `Undetermined`. Only a permanent
 * bounce means the address is dead; a full mailbox must not lock a customer out of incident mail.
 */
export function isHardBounce(event: ResendEvent): boolean {
  return /permanent|hard/i.test(event.data?.bounce?.type ?? '');
}

/**
 * Stores a verified event, idempotent on the provider's event id (`svix-id`). Returns the row id and
 * whether it was new; a redelivery answers `created: false` and must not be processed again.
 */
export async function storeProviderEvent(
  db: Db,
  providerEventId: string,
  event: ResendEvent,
): Promise<{ id: string; created: boolean }> {
  const id = newId('dev');
  const inserted = await db
    .insert(deliveryEvents)
    .values({ id, providerEventId, type: event.type, payload: event, occurredAt: occurredAt(event) })
    .onConflictDoNothing({ target: deliveryEvents.providerEventId })
    .returning({ id: deliveryEvents.id });
  if (inserted.length > 0) return { id, created: true };
  const [existing] = await db
    .select({ id: deliveryEvents.id })
    .from(deliveryEvents)
    .where(eq(deliveryEvents.providerEventId, providerEventId));
  return { id: existing!.id, created: false };
}

/** Queues processing of a stored event. Failure is not fatal: the sweeper picks stored events up. */
export async function enqueueProviderEvent(deps: Deps, deliveryEventId: string): Promise<boolean> {
  try {
    await deps.queues.add('provider-events', { deliveryEventId }, jobIds.providerEvent(deliveryEventId));
    return true;
  } catch (error) {
    deps.logger.warn(
      { err: error, deliveryEventId },
      'provider event stored but not queued; sweeper will apply it',
    );
    return false;
  }
}

export type ApplyOutcome = 'applied' | 'unmatched' | 'ignored' | 'missing';

/**
 * Applies one stored event to its message. Safe to run any number of times and concurrently: status
 * moves only forward in one conditional UPDATE, timestamps keep their first value, suppressions are
 * inserted on conflict do nothing. Linking the event to its message (`delivery_events.message_id`) in
 * the same transaction is what marks it processed for `processPendingProviderEvents`.
 */
export async function applyProviderEvent(
  deps: Pick<AppDeps, 'database' | 'logger'>,
  deliveryEventId: string,
): Promise<ApplyOutcome> {
  const { db } = deps.database;
  const [row] = await db.select().from(deliveryEvents).where(eq(deliveryEvents.id, deliveryEventId));
  if (!row) return 'missing';
  const event = row.payload as ResendEvent;
  const type = row.type as EmailEventType;
  const log = deps.logger.child({ deliveryEventId, type: row.type });
  if (!emailEventTypes.includes(type)) {
    log.debug('provider event type not handled here');
    return 'ignored';
  }
  const emailId = event.data?.email_id;
  const [message] = emailId
    ? await db
        .select({ id: messages.id, communicationId: messages.communicationId, email: messages.email })
        .from(messageProviderIds)
        .innerJoin(messages, eq(messages.id, messageProviderIds.messageId))
        .where(eq(messageProviderIds.providerId, emailId))
        .limit(1)
    : [];
  if (!message) {
    // Often a race with the send worker recording the provider id; the sweeper retries for a while.
    log.info({ emailId }, 'provider event for an unknown email id; stored, not applied');
    return 'unmatched';
  }
  const iso = row.occurredAt.toISOString();
  const status = statusOf[type];
  const error =
    type === 'email.bounced'
      ? `bounced: ${event.data?.bounce?.type ?? ''} ${event.data?.bounce?.subType ?? ''} ${event.data?.bounce?.message ?? ''}`.trim()
      : type === 'email.failed'
        ? `failed: ${event.data?.failed?.reason ?? 'unknown'}`
        : type === 'email.suppressed'
          ? `suppressed by provider: ${event.data?.suppressed?.message ?? event.data?.suppressed?.type ?? ''}`.trim()
          : undefined;
  const suppressReason =
    type === 'email.complained'
      ? 'complaint'
      : type === 'email.bounced' && isHardBounce(event)
        ? 'bounce'
        : null;

  await db.transaction(async (tx) => {
    await tx
      .update(messages)
      .set({ status, updatedAt: new Date(), ...(error ? { error } : {}) })
      .where(and(eq(messages.id, message.id), inArray(messages.status, lowerThan(status))));
    const provesDelivery = type === 'email.delivered' || type === 'email.opened' || type === 'email.clicked';
    const provesSent = type !== 'email.failed' && type !== 'email.suppressed';
    await tx
      .update(messages)
      .set({
        ...(provesSent ? { sentAt: sql`coalesce(${messages.sentAt}, ${iso}::timestamptz)` } : {}),
        ...(provesDelivery
          ? { deliveredAt: sql`coalesce(${messages.deliveredAt}, ${iso}::timestamptz)` }
          : {}),
        ...(type === 'email.opened' || type === 'email.clicked'
          ? { openedAt: sql`coalesce(${messages.openedAt}, ${iso}::timestamptz)` }
          : {}),
        updatedAt: new Date(),
      })
      .where(eq(messages.id, message.id));
    if (suppressReason) {
      await tx
        .insert(suppressions)
        .values({
          email: normalizeEmail(message.email),
          reason: suppressReason,
          source: 'resend',
          details: { deliveryEventId, messageId: message.id, bounce: event.data?.bounce ?? null },
        })
        .onConflictDoNothing({ target: suppressions.email });
    }
    await tx
      .update(deliveryEvents)
      .set({ messageId: message.id })
      .where(eq(deliveryEvents.id, deliveryEventId));
  });
  log.info(
    { messageId: message.id, communicationId: message.communicationId, suppressed: suppressReason },
    'provider event applied',
  );
  return 'applied';
}

/** How long an unmatched event is retried: long enough for any send worker to record its provider id. */
const PENDING_WINDOW_MS = 60 * 60 * 1000;

/**
 * Applies stored events that no worker linked to a message yet: those whose job was lost (Redis down
 * when the webhook came, or flushed) and those that arrived before the send worker stored the provider
 * id. For the sweeper; returns how many it applied. Without a `processed_at` column an event that
 * names a foreign e-mail is retried until it is older than the window, which is harmless.
 */
export async function processPendingProviderEvents(
  deps: Pick<AppDeps, 'database' | 'logger'>,
  limit = 500,
  now = new Date(),
): Promise<{ applied: number; unmatched: number }> {
  const since = new Date(now.getTime() - PENDING_WINDOW_MS);
  const pending = await deps.database.db
    .select({ id: deliveryEvents.id })
    .from(deliveryEvents)
    .where(
      and(
        isNull(deliveryEvents.messageId),
        inArray(deliveryEvents.type, [...emailEventTypes]),
        gt(deliveryEvents.createdAt, since),
      ),
    )
    .orderBy(asc(deliveryEvents.createdAt), asc(deliveryEvents.id))
    .limit(limit);
  let applied = 0;
  let unmatched = 0;
  for (const { id } of pending) {
    const outcome = await applyProviderEvent(deps, id);
    if (outcome === 'applied') applied++;
    else if (outcome === 'unmatched') unmatched++;
  }
  return { applied, unmatched };
}
