import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { AffectedContact } from '../audience/affected.js';
import { listSegments, segmentContactsPage } from '../audience/segment-audience.js';
import {
  apologyRecipientsAmong,
  type CoordinatedCommunication,
  skipsApologyRecipients,
} from '../communications/coordination.js';
import { domainOf } from '../config.js';
import { inTextArray, selectRows, textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { preparedStatement } from '../db/prepared.js';
import { communications, incidents, messages, sendBatches } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { WorkInFlight } from '../lib/work-in-flight.js';
import { jobIds, MAX_BATCH_SIZE } from './queues.js';
import { replyToken, tokenHash } from './tokens.js';

/** Contacts read and message rows written per round trip; memory stays flat whatever the audience size. */
export const FANOUT_PAGE_SIZE = 1_000;

/**
 * Pages written at once: the next pages are read and written while the database writes the last. One
 * at a time, a 100,000-recipient fan-out took ~11 s and the send jobs behind it waited for it; two
 * took ~7 s, three ~5 s (four: no faster).
 */
export const FANOUT_PAGES_IN_FLIGHT = 3;

export type FanoutOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'not_due'; delayMs: number }
  | { kind: 'done'; messages: number; sendJobs: number };

/**
 * Turns a due communication into message rows and send jobs. Safe to run again at any point: rows are
 * inserted with ON CONFLICT DO NOTHING, each with the key of the one batch that may ever send it, and a
 * batch's send job carries that key as its id.
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
  const pages = new WorkInFlight(FANOUT_PAGES_IN_FLIGHT);
  const sending = { ...communication, id: communicationId, senderDomain };
  try {
    for (;;) {
      const contacts = await segmentContactsPage(db, {
        segments,
        scope: { regions: incident.regions, components: incident.components },
        segmentKey: communication.segment,
        afterContactId: after,
        limit: FANOUT_PAGE_SIZE,
      });
      if (contacts.length === 0) break;
      after = contacts[contacts.length - 1]?.contactId;
      await pages.add(writePage(deps, sending, contacts));
      if (contacts.length < FANOUT_PAGE_SIZE) break;
    }
  } catch (error) {
    // The pages already started finish (each is idempotent) before the job fails.
    await pages.settle().catch(() => {});
    throw error;
  }
  const sendJobs = await pages.settle();

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
 * One page of the audience: its message rows and the send jobs for them. Sending starts while the
 * fan-out goes on: a 100,000-recipient audience would otherwise wait for its last page before the
 * first e-mail leaves.
 */
async function writePage(
  deps: Pick<AppDeps, 'database' | 'queues' | 'signingSecret'>,
  communication: CoordinatedCommunication & { id: string; senderDomain: string },
  page: AffectedContact[],
): Promise<number> {
  const { db } = deps.database;
  // Whoever got the executive's apology hears nothing automatic about this incident afterwards.
  const skip = skipsApologyRecipients(communication)
    ? await apologyRecipientsAmong(
        db,
        communication.incidentId,
        page.map((c) => c.contactId),
      )
    : new Set<string>();
  const recipients = page.filter((contact) => !skip.has(contact.contactId));
  const written =
    recipients.length > 0
      ? await insertQueuedMessages(
          db,
          {
            communicationId: communication.id,
            senderDomain: communication.senderDomain,
            signingSecret: deps.signingSecret,
          },
          recipients,
        )
      : null;
  // A page written whole is sent as written. Otherwise (a fan-out run again, or contacts left out) its
  // contacts may hold queued rows of an earlier run, which are looked up.
  const batches =
    written && skip.size === 0
      ? written
      : await queuedBatches(
          db,
          communication.id,
          inTextArray(
            sql`m.contact_id`,
            page.map((c) => c.contactId),
          ),
        );
  await addSendJobs(deps, communication.id, batches);
  return batches.length;
}

/**
 * One page's message rows in one statement whose parameters are six arrays: the SQL text and its
 * cost to build stay the same for 1 or 1,000 rows. Every row is born in its batch (at most
 * `MAX_BATCH_SIZE` rows under one key): only that batch's send job may send it, so no later write is
 * needed to claim it. Rows that exist already (a fan-out run again) keep their batch. Returns the
 * batches written when every row was new, and null when some existed already.
 */
async function insertQueuedMessages(
  db: Db,
  {
    communicationId,
    senderDomain,
    signingSecret,
  }: { communicationId: string; senderDomain: string; signingSecret: Buffer },
  recipients: readonly AffectedContact[],
): Promise<QueuedBatch[] | null> {
  const ids = recipients.map(() => newId('msg'));
  const batchKeys = ids.map((_, i) => jobIds.send(communicationId, ids[i - (i % MAX_BATCH_SIZE)]!));
  const [{ written } = { written: 0 }] = await selectRows<{ written: number }>(
    db,
    sql`
    with written as (
      insert into ${messages} (id, communication_id, contact_id, customer_id, email, status, reply_token_hash, message_id_header, send_batch_key)
      select v.id, ${communicationId}, v.contact_id, v.customer_id, v.email, 'queued', v.reply_token_hash, v.id || ${`@${senderDomain}`}, v.send_batch_key
      from unnest(
        ${textArray(ids)}, ${textArray(recipients.map((r) => r.contactId))}, ${textArray(recipients.map((r) => r.customerId))},
        ${textArray(recipients.map((r) => r.email))}, ${textArray(ids.map((id) => tokenHash(replyToken(signingSecret, id))))},
        ${textArray(batchKeys)}
      ) as v(id, contact_id, customer_id, email, reply_token_hash, send_batch_key)
      on conflict do nothing
      returning 1
    )
    select count(*)::int as written from written`,
  );
  if (written < ids.length) return null;
  const batches: QueuedBatch[] = [];
  for (let start = 0; start < ids.length; start += MAX_BATCH_SIZE)
    batches.push({
      batchKey: batchKeys[start]!,
      messageIds: ids.slice(start, start + MAX_BATCH_SIZE).sort(),
    });
  return batches;
}

/** Queued messages grouped by their batch, in key order: what one send job each would get. */
export interface QueuedBatch {
  batchKey: string;
  messageIds: string[];
}

/**
 * A communication's batches that still hold queued messages, optionally narrowed by `where` (an SQL
 * condition on `messages m`) and after a key (to page through them).
 */
export async function queuedBatches(
  db: Db,
  communicationId: string,
  where?: SQL,
  { afterKey = '', limit = FANOUT_PAGE_SIZE }: { afterKey?: string; limit?: number } = {},
): Promise<QueuedBatch[]> {
  return selectRows<QueuedBatch>(
    db,
    sql`
    select m.send_batch_key as "batchKey", array_agg(m.id order by m.id) as "messageIds"
    from ${messages} m
    where m.communication_id = ${communicationId} and m.status = 'queued' and m.send_batch_key > ${afterKey}
      ${where ? sql`and ${where}` : sql``}
    group by m.send_batch_key
    order by m.send_batch_key
    limit ${limit}`,
  );
}

/** One send job per batch, added in one round trip; a job whose id is already known is left alone. */
export async function addSendJobs(
  deps: Pick<AppDeps, 'queues'>,
  communicationId: string,
  batches: readonly QueuedBatch[],
): Promise<void> {
  await deps.queues.addBulk(
    'send',
    batches.map(({ batchKey, messageIds }) => ({
      payload: { communicationId, messageIds },
      jobId: batchKey,
    })),
  );
}

/**
 * A communication is sent once none of its messages is waiting or in flight. Its open batches are
 * asked first: while one is open the send is not over, and that answer comes from `send_batches`'
 * index. Only when none is open are the messages themselves looked through for a queued one (found
 * through their batch index, since no index covers the status: see the `messages` schema).
 */
export async function markSentIfFinished(
  deps: Pick<AppDeps, 'database'>,
  communicationId: string,
): Promise<boolean> {
  const updated = await markSentStatement(deps.database.db).execute({ communicationId });
  return updated.length > 0;
}

const markSentStatement = preparedStatement((db) => {
  const communicationId = sql.placeholder('communicationId');
  return db
    .update(communications)
    .set({ status: 'sent', updatedAt: sql`now()` })
    .where(
      and(
        eq(communications.id, communicationId),
        eq(communications.status, 'sending'),
        // One CASE, so that PostgreSQL asks in this order and stops at the first answer: an unfinished
        // fan-out (the row itself), an open batch (their index), and only then a queued message (a scan,
        // from the newest batch back: batches go out roughly in key order, so queued rows are at that end).
        sql`case
          when ${communications.fanoutCompletedAt} is null then false
          when exists (select 1 from ${sendBatches} where ${sendBatches.communicationId} = ${communicationId} and ${sendBatches.completedAt} is null) then false
          else (select 1 from ${messages} where ${messages.communicationId} = ${communicationId} and ${messages.status} = 'queued'
            order by ${messages.sendBatchKey} desc limit 1) is null
        end`,
      ),
    )
    .returning({ id: communications.id });
});
