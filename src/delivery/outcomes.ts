import { and, eq, sql } from 'drizzle-orm';
import { inTextArray, textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { preparedSql } from '../db/prepared.js';
import { messageProviderIds, messages, sendBatches } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { markSentIfFinished } from './fanout.js';
import type { SendOutcome } from './transports/transport.js';

/**
 * Records a batch's outcomes in one statement (`UPDATE … FROM unnest(…)` over four array parameters)
 * instead of one round trip per message: at 100 messages a batch this is most of the database time of a
 * send. Only the batch's rows still `queued` change, so a late duplicate answer cannot undo a webhook
 * that already said `delivered`. The provider ids go to `message_provider_ids` for the webhooks.
 */
export async function recordOutcomes(
  db: Db,
  batch: { batchKey: string; attempts: number; firstAttemptAt: Date },
  outcomes: SendOutcome[],
  now = new Date(),
) {
  const at = now.toISOString();
  // The batch is marked complete in the same statement: one round trip, and no window in which its
  // messages have outcomes but the batch still looks open.
  await outcomesStatement(db).execute({
    ids: outcomes.map((o) => o.messageId),
    statuses: outcomes.map((o) => (o.ok ? 'sent' : 'failed')),
    providerIds: outcomes.map((o) => (o.ok ? o.providerId : null)),
    errors: outcomes.map((o) => (o.ok ? null : o.error.slice(0, 1000))),
    batchKey: batch.batchKey,
    attempts: batch.attempts,
    firstAttemptAt: batch.firstAttemptAt.toISOString(),
    at,
  });
  const sent = outcomes.filter((o) => o.ok).length;
  return { sent, failed: outcomes.length - sent };
}

const outcomesStatement = preparedSql(sql`
    with v as (
      select * from unnest(
        ${textArray(sql.placeholder('ids'))}, ${textArray(sql.placeholder('statuses'))},
        ${textArray(sql.placeholder('providerIds'))}, ${textArray(sql.placeholder('errors'))}
      ) as v(id, status, provider_id, error)
    ), completed as (
      update ${sendBatches} set completed_at = ${sql.placeholder('at')}::timestamptz where key = ${sql.placeholder('batchKey')}
    ), provider_ids as (
      insert into ${messageProviderIds} (provider_id, message_id)
      select provider_id, id from v where provider_id is not null
      on conflict do nothing
    )
    update ${messages} as m set
      status = v.status,
      provider_id = coalesce(v.provider_id, m.provider_id),
      error = v.error,
      attempts = ${sql.placeholder('attempts')}::int,
      sending_at = ${sql.placeholder('firstAttemptAt')}::timestamptz,
      sent_at = case when v.status = 'sent' then ${sql.placeholder('at')}::timestamptz else m.sent_at end,
      updated_at = ${sql.placeholder('at')}::timestamptz
    from v
    where m.id = v.id and m.status = 'queued' and m.send_batch_key = ${sql.placeholder('batchKey')}`);

/**
 * Gives the batch's still-queued messages a final state without sending them: a permanent failure, in
 * doubt for review, or suppressed (the contact can no longer be mailed). `messageIds` narrows it to
 * some of them.
 */
export async function settleBatch(
  db: Db,
  batch: { communicationId: string; batchKey: string },
  status: 'failed' | 'needs_review' | 'suppressed',
  error: string,
  messageIds?: readonly string[],
) {
  await db
    .update(messages)
    .set({ status, error: error.slice(0, 1000), updatedAt: new Date() })
    .where(
      and(
        eq(messages.communicationId, batch.communicationId),
        eq(messages.status, 'queued'),
        eq(messages.sendBatchKey, batch.batchKey),
        messageIds ? inTextArray(messages.id, messageIds) : undefined,
      ),
    );
}

/** Marks a frozen batch finished, so no later attempt sends it again. */
export async function completeBatch(db: Db, batchKey: string, at = new Date()) {
  await db.update(sendBatches).set({ completedAt: at }).where(eq(sendBatches.key, batchKey));
}

/**
 * Ends a batch without sending what it still holds: its queued messages get a final state, the batch
 * is completed (an open batch keeps its communication in `sending`), and the communication finishes
 * if this batch was the last of its work.
 */
export async function giveUpBatch(
  deps: Pick<AppDeps, 'database'>,
  batch: { communicationId: string; batchKey: string },
  status: 'failed' | 'needs_review',
  error: string,
  now = new Date(),
) {
  await settleBatch(deps.database.db, batch, status, error);
  await completeBatch(deps.database.db, batch.batchKey, now);
  await markSentIfFinished(deps, batch.communicationId);
}
