import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { AffectedContact } from '../audience/affected.js';
import { listSegments, segmentContactsPage } from '../audience/segment-audience.js';
import { apologyRecipientsAmong, skipsApologyRecipients } from '../communications/coordination.js';
import { domainOf } from '../config.js';
import { inTextArray, textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { communications, incidents, messages } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { jobIds, MAX_BATCH_SIZE } from './queues.js';
import { replyToken, tokenHash } from './tokens.js';

/** Contacts read and message rows written per round trip; memory stays flat whatever the audience size. */
export const FANOUT_PAGE_SIZE = 1_000;

export type FanoutOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'not_due'; delayMs: number }
  | { kind: 'done'; messages: number; sendJobs: number };

/**
 * Turns a due communication into message rows and send jobs. Safe to run again at any point: rows are
 * inserted with ON CONFLICT DO NOTHING and send jobs carry deterministic ids; the send worker's claim
 * on each row is what finally guarantees one e-mail per recipient.
 */
export async function runFanout(
  deps: Pick<AppDeps, 'database' | 'queues' | 'signingSecret' | 'config'>,
  communicationId: string,
  now = new Date(),
): Promise<FanoutOutcome> {
  const { db } = deps.database;
  const [communication] = await db
    .select()
    .from(communications)
    .where(eq(communications.id, communicationId));
  if (!communication) return { kind: 'skipped', reason: 'communication not found' };
  if (communication.status !== 'scheduled' && communication.status !== 'sending')
    return { kind: 'skipped', reason: `communication is ${communication.status}` };
  if (communication.status === 'scheduled' && communication.sendAt && communication.sendAt > now)
    return { kind: 'not_due', delayMs: communication.sendAt.getTime() - now.getTime() };

  const [incident] = await db.select().from(incidents).where(eq(incidents.id, communication.incidentId));
  if (!incident) return { kind: 'skipped', reason: 'incident not found' };
  // Claim the communication; a cancel that won the race leaves it alone.
  const started = await db
    .update(communications)
    .set({ status: 'sending', updatedAt: now })
    .where(
      and(eq(communications.id, communicationId), inArray(communications.status, ['scheduled', 'sending'])),
    )
    .returning({ id: communications.id });
  if (started.length === 0) return { kind: 'skipped', reason: 'communication was cancelled' };

  const senderDomain = domainOf(communication.from);
  const segments = await listSegments(db);
  let after: string | undefined;
  let sendJobs = 0;
  for (;;) {
    const page = await segmentContactsPage(db, {
      segments,
      scope: { regions: incident.regions, components: incident.components },
      segmentKey: communication.segment,
      afterContactId: after,
      limit: FANOUT_PAGE_SIZE,
    });
    if (page.length === 0) break;
    after = page[page.length - 1]?.contactId;
    // Whoever got the executive's apology hears nothing automatic about this incident afterwards.
    const skip = skipsApologyRecipients(communication)
      ? await apologyRecipientsAmong(
          db,
          communication.incidentId,
          page.map((c) => c.contactId),
        )
      : new Set<string>();
    const recipients = page.filter((contact) => !skip.has(contact.contactId));
    if (recipients.length > 0)
      await insertQueuedMessages(
        db,
        { communicationId, senderDomain, signingSecret: deps.signingSecret },
        recipients,
      );
    // Sending starts while the fan-out goes on: a 100,000-recipient audience would otherwise wait for
    // its last page before the first e-mail leaves.
    sendJobs += await enqueuePage(
      deps,
      communicationId,
      page.map((c) => c.contactId),
    );
    if (page.length < FANOUT_PAGE_SIZE) break;
  }

  const [{ count } = { count: 0 }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(messages)
    .where(eq(messages.communicationId, communicationId));
  await db
    .update(communications)
    .set({ fanoutCompletedAt: new Date(), recipients: count })
    .where(eq(communications.id, communicationId));
  if (count === 0) await markSentIfFinished(deps, communicationId);
  return { kind: 'done', messages: count, sendJobs };
}

/**
 * One page's message rows in one statement whose parameters are five arrays: the SQL text and its
 * cost to build stay the same for 1 or 1,000 rows. Rows that exist already (a fan-out run again) are
 * left as they are.
 */
async function insertQueuedMessages(
  db: Db,
  {
    communicationId,
    senderDomain,
    signingSecret,
  }: { communicationId: string; senderDomain: string; signingSecret: Buffer },
  recipients: readonly AffectedContact[],
): Promise<void> {
  const ids = recipients.map(() => newId('msg'));
  await db.execute(sql`
    insert into ${messages} (id, communication_id, contact_id, customer_id, email, status, reply_token_hash, message_id_header)
    select v.id, ${communicationId}, v.contact_id, v.customer_id, v.email, 'queued', v.reply_token_hash, v.id || ${`@${senderDomain}`}
    from unnest(
      ${textArray(ids)}, ${textArray(recipients.map((r) => r.contactId))}, ${textArray(recipients.map((r) => r.customerId))},
      ${textArray(recipients.map((r) => r.email))}, ${textArray(ids.map((id) => tokenHash(replyToken(signingSecret, id))))}
    ) as v(id, contact_id, customer_id, email, reply_token_hash)
    on conflict do nothing`);
}

/** Send jobs for one page's still-queued, unclaimed messages, at most one provider batch each. */
async function enqueuePage(
  deps: Pick<AppDeps, 'database' | 'queues'>,
  communicationId: string,
  contactIds: string[],
): Promise<number> {
  const rows = await deps.database.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.communicationId, communicationId),
        inTextArray(messages.contactId, contactIds),
        eq(messages.status, 'queued'),
        isNull(messages.sendBatchKey),
      ),
    )
    .orderBy(asc(messages.id));
  return addSendJobs(
    deps,
    communicationId,
    rows.map((r) => r.id),
  );
}

async function addSendJobs(
  deps: Pick<AppDeps, 'queues'>,
  communicationId: string,
  ids: string[],
): Promise<number> {
  const jobs: { payload: { communicationId: string; messageIds: string[] }; jobId: string }[] = [];
  for (let i = 0; i < ids.length; i += MAX_BATCH_SIZE) {
    const chunk = ids.slice(i, i + MAX_BATCH_SIZE);
    jobs.push({
      payload: { communicationId, messageIds: chunk },
      jobId: jobIds.send(communicationId, chunk[0]!),
    });
  }
  await deps.queues.addBulk('send', jobs);
  return jobs.length;
}

/**
 * Enqueues send jobs for every still-queued, unclaimed message of a communication, in id order, at most
 * one provider batch per job: the sweeper's way back after Redis lost jobs or a fan-out was interrupted.
 */
export async function enqueueQueuedMessages(
  deps: Pick<AppDeps, 'database' | 'queues'>,
  communicationId: string,
  olderThan?: Date,
): Promise<number> {
  const { db } = deps.database;
  let after = '';
  let jobs = 0;
  for (;;) {
    const batch = await db
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.communicationId, communicationId),
          eq(messages.status, 'queued'),
          isNull(messages.sendBatchKey),
          gt(messages.id, after),
          olderThan ? sql`${messages.updatedAt} < ${olderThan}` : undefined,
        ),
      )
      .orderBy(asc(messages.id))
      .limit(MAX_BATCH_SIZE * 10);
    if (batch.length === 0) break;
    jobs += await addSendJobs(
      deps,
      communicationId,
      batch.map((m) => m.id),
    );
    after = batch[batch.length - 1]!.id;
  }
  return jobs;
}

/** A communication is sent once none of its messages is waiting or in flight. */
export async function markSentIfFinished(
  deps: Pick<AppDeps, 'database'>,
  communicationId: string,
): Promise<boolean> {
  const { db } = deps.database;
  const updated = await db
    .update(communications)
    .set({ status: 'sent', updatedAt: new Date() })
    .where(
      and(
        eq(communications.id, communicationId),
        eq(communications.status, 'sending'),
        sql`${communications.fanoutCompletedAt} is not null`,
        sql`not exists (select 1 from ${messages} where ${messages.communicationId} = ${communicationId} and ${messages.status} in ('queued', 'sending'))`,
      ),
    )
    .returning({ id: communications.id });
  return updated.length > 0;
}
