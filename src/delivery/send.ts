import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { getSegment } from '../audience/segment-audience.js';
import { accountManagerOf } from '../communications/preview.js';
import { communications, communicationVersions, contacts, customers, messages } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { composeEmail } from './compose.js';
import { markSentIfFinished } from './fanout.js';
import { threadOf } from './threading.js';
import type { SendOutcome } from './transports/transport.js';

export interface SendJobInput {
  communicationId: string;
  messageIds: string[];
  /** The job's id: claims rows for this batch and is the provider idempotency key. */
  batchKey: string;
}

export type SendResult = { kind: 'skipped'; reason: string } | { kind: 'sent'; sent: number; failed: number };

/**
 * Sends one batch. Rows are claimed first (`queued` → `sending`, stamped with the batch key) so that no
 * other job can send them; a retry of this same job may, and it uses the same idempotency key, so the
 * provider deduplicates a batch whose answer was lost. Batch-level transport errors propagate to the
 * worker, which decides between rate-limit pauses, backoff and giving up.
 */
export async function runSend(
  deps: Pick<AppDeps, 'database' | 'transport' | 'config' | 'signingSecret' | 'metrics'>,
  input: SendJobInput,
): Promise<SendResult> {
  const { db } = deps.database;
  const [communication] = await db
    .select()
    .from(communications)
    .where(eq(communications.id, input.communicationId));
  if (!communication) return { kind: 'skipped', reason: 'communication not found' };
  if (communication.status !== 'sending')
    return { kind: 'skipped', reason: `communication is ${communication.status}` };

  const claimed = await db
    .update(messages)
    .set({
      status: 'sending',
      sendBatchKey: input.batchKey,
      attempts: sql`${messages.attempts} + 1`,
      sendingAt: new Date(),
      updatedAt: new Date(),
    })
    .where(
      and(
        inArray(messages.id, input.messageIds),
        or(
          eq(messages.status, 'queued'),
          and(eq(messages.status, 'sending'), eq(messages.sendBatchKey, input.batchKey)),
        ),
      ),
    )
    .returning({ id: messages.id });
  if (claimed.length === 0) return { kind: 'skipped', reason: 'nothing left to send in this batch' };

  const [version] = await db
    .select()
    .from(communicationVersions)
    .where(
      and(
        eq(communicationVersions.communicationId, communication.id),
        eq(communicationVersions.version, communication.currentVersion),
      ),
    );
  if (!version)
    throw new Error(`communication ${communication.id} has no version ${communication.currentVersion}`);

  const recipients = await db
    .select({
      messageId: messages.id,
      email: messages.email,
      messageIdHeader: messages.messageIdHeader,
      contactId: contacts.id,
      contactName: contacts.name,
      customerName: customers.name,
      locale: sql<string | null>`coalesce(${contacts.locale}, ${customers.locale})`,
      attributes: customers.attributes,
    })
    .from(messages)
    .innerJoin(contacts, eq(contacts.id, messages.contactId))
    .innerJoin(customers, eq(customers.id, messages.customerId))
    .where(
      inArray(
        messages.id,
        claimed.map((c) => c.id),
      ),
    )
    .orderBy(messages.id);

  const segment = await getSegment(db, communication.segment);
  const threads = await threadOf(db, {
    incidentId: communication.incidentId,
    contactIds: recipients.map((r) => r.contactId),
    excludeCommunicationId: communication.id,
  });
  const emails = await Promise.all(
    recipients.map(({ attributes, ...recipient }) =>
      composeEmail(deps, {
        communication,
        version,
        recipient: {
          ...recipient,
          variant: segment?.template ?? null,
          accountManager: accountManagerOf(attributes),
          thread: threads.get(recipient.contactId) ?? [],
        },
      }),
    ),
  );
  const outcomes = await deps.transport.sendBatch(emails, { idempotencyKey: input.batchKey });
  const result = await recordOutcomes(deps, outcomes);
  await markSentIfFinished(deps, communication.id);
  return { kind: 'sent', ...result };
}

async function recordOutcomes(
  deps: Pick<AppDeps, 'database' | 'transport' | 'metrics'>,
  outcomes: SendOutcome[],
): Promise<{ sent: number; failed: number }> {
  const { db } = deps.database;
  const now = new Date();
  let sent = 0;
  let failed = 0;
  await db.transaction(async (tx) => {
    for (const outcome of outcomes) {
      if (outcome.ok) {
        sent++;
        await tx
          .update(messages)
          .set({ status: 'sent', providerId: outcome.providerId, sentAt: now, updatedAt: now, error: null })
          .where(and(eq(messages.id, outcome.messageId), eq(messages.status, 'sending')));
      } else {
        failed++;
        await tx
          .update(messages)
          .set({ status: 'failed', error: outcome.error.slice(0, 1000), updatedAt: now })
          .where(and(eq(messages.id, outcome.messageId), eq(messages.status, 'sending')));
      }
    }
  });
  deps.metrics.emailsSent.inc({ transport: deps.transport.name }, sent);
  if (failed) deps.metrics.emailsFailed.inc({ transport: deps.transport.name }, failed);
  return { sent, failed };
}

/** Marks every message this batch claimed as failed (the batch can never succeed). */
export async function failClaimedMessages(deps: Pick<AppDeps, 'database'>, batchKey: string, error: string) {
  await deps.database.db
    .update(messages)
    .set({ status: 'failed', error: error.slice(0, 1000), updatedAt: new Date() })
    .where(and(eq(messages.sendBatchKey, batchKey), eq(messages.status, 'sending')));
}
