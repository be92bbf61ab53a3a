import { eq, sql } from 'drizzle-orm';
import { assertApprovedForSend } from '../communications/approvals.js';
import { selectRows, textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { preparedStatement } from '../db/prepared.js';
import { type communicationVersions, messages, sendBatches } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import {
  type BatchInputs,
  gatherBatchInputs,
  loadSendContext,
  renderBatch,
  type SendContext,
} from './batch-payload.js';
import { markSentIfFinished } from './fanout.js';
import { completeBatch, giveUpBatch, recordOutcomes, settleBatch } from './outcomes.js';
import type { OutgoingEmail } from './transports/transport.js';

/**
 * How long a batch may be retried under its idempotency key. Resend keeps keys for 24 hours; after that
 * a retry could deliver a second copy, so a batch still in doubt goes to a person instead.
 */
export const IDEMPOTENCY_WINDOW_MS = 23 * 60 * 60 * 1000;

export interface SendJobInput {
  communicationId: string;
  messageIds: string[];
  /** The job's id: the key the fan-out gave these messages, and the provider idempotency key. */
  batchKey: string;
}

export type SendResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'needs_review'; messages: number }
  | { kind: 'sent'; sent: number; failed: number };

type Deps = Pick<AppDeps, 'database' | 'transport' | 'config' | 'signingSecret' | 'metrics'>;

/**
 * Sends one batch. Its messages were born in it (the fan-out gave each row its batch key), so no other
 * job can send them and nothing has to be claimed. The batch's inputs are frozen in `send_batches`
 * before the first provider call, and every retry renders exactly the same bytes and sends them under
 * the same idempotency key, so the provider replays a batch whose answer was lost instead of delivering
 * it twice. Batch-level transport errors propagate to the worker, which decides between a rate-limit
 * pause, backoff and giving up.
 */
export async function runSend(deps: Deps, input: SendJobInput, now = new Date()): Promise<SendResult> {
  const { db } = deps.database;
  const context = await loadSendContext(db, input);
  if (!context) return { kind: 'skipped', reason: 'communication not found' };
  const { communication } = context;
  if (communication.status !== 'sending')
    return { kind: 'skipped', reason: `communication is ${communication.status}` };

  const batch = await frozenBatch(deps, context, input);
  if (batch.kind === 'skipped') {
    // A last batch with nothing left to send (everyone in it unsubscribed meanwhile) still ends the send.
    await markSentIfFinished(deps, communication.id);
    return batch;
  }
  // An apology goes out only as the exact content its executive approved (throws ApprovalMismatchError).
  await assertApprovedForSend(db, communication, batch.version);
  if (now.getTime() - batch.firstAttemptAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    await giveUpBatch(
      deps,
      { communicationId: communication.id, batchKey: input.batchKey },
      'needs_review',
      'in doubt beyond the provider idempotency window',
      now,
    );
    return { kind: 'needs_review', messages: batch.emails.length };
  }
  // A batch frozen just now was stored with its first attempt counted.
  const attempts = batch.frozenNow ? 1 : await countAttempt(db, input.batchKey);

  const outcomes = await deps.transport.sendBatch(batch.emails, { idempotencyKey: input.batchKey });
  const result = await recordOutcomes(
    db,
    { batchKey: input.batchKey, attempts, firstAttemptAt: batch.firstAttemptAt },
    outcomes,
  );
  deps.metrics.emailsSent.inc({ transport: deps.transport.name }, result.sent);
  if (result.failed) deps.metrics.emailsFailed.inc({ transport: deps.transport.name }, result.failed);
  await markSentIfFinished(deps, communication.id);
  return { kind: 'sent', ...result };
}

async function countAttempt(db: Db, batchKey: string): Promise<number> {
  const [row] = await db
    .update(sendBatches)
    .set({ attempts: sql`${sendBatches.attempts} + 1` })
    .where(eq(sendBatches.key, batchKey))
    .returning({ attempts: sendBatches.attempts });
  return row?.attempts ?? 1;
}

/**
 * The batch's e-mails from its frozen inputs. On the first attempt the batch's still-queued messages
 * are gathered and frozen; a contact who unsubscribed or bounced after the fan-out ran is marked
 * `suppressed` then and left out. A batch that is finished, or whose messages all reached a final state
 * while its completion went unrecorded, is skipped.
 */
async function frozenBatch(
  deps: Deps,
  context: SendContext,
  input: SendJobInput,
): Promise<
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'frozen';
      emails: OutgoingEmail[];
      firstAttemptAt: Date;
      version: typeof communicationVersions.$inferSelect;
      /** Stored by this attempt (with `attempts` = 1), not by an earlier one. */
      frozenNow: boolean;
    }
> {
  const { db } = deps.database;
  const { communication } = context;
  let stored: { payload: unknown; firstAttemptAt: Date } | undefined = context.batch ?? undefined;
  let frozenNow = false;
  if (context.batch?.completedAt) return { kind: 'skipped', reason: 'batch already sent' };
  if (context.batch && !(await holdsQueuedMessages(db, context.batch))) {
    await completeBatch(db, context.batch.key);
    return { kind: 'skipped', reason: 'nothing left to send in this batch' };
  }
  if (!stored) {
    const gathered = await gatherBatchInputs(deps, context, input);
    if (gathered.suppressed.length > 0)
      await settleBatch(db, input, 'suppressed', SUPPRESSED_AFTER_FANOUT, gathered.suppressed);
    if (gathered.inputs.recipients.length === 0)
      return { kind: 'skipped', reason: 'nothing left to send in this batch' };
    const payload = JSON.stringify(gathered.inputs);
    const [frozen] = await freezeStatement(db).execute({
      key: input.batchKey,
      communicationId: communication.id,
      messageIds: gathered.inputs.recipients.map((r) => r.messageId),
      payload,
    });
    frozenNow = frozen !== undefined;
    // The stored inputs are not read back (the statement returns no payload): a retry renders them as
    // parsed from the database, so this attempt renders them parsed from the same JSON.
    if (frozen) stored = { payload: JSON.parse(payload), firstAttemptAt: frozen.firstAttemptAt };
    // Two attempts racing (a stalled job re-run) both gather; the stored copy is the one both send.
    else [stored] = await db.select().from(sendBatches).where(eq(sendBatches.key, input.batchKey));
    if (!stored) throw new Error(`send batch ${input.batchKey} vanished after insert`);
  }
  const { emails, version } = await renderBatch(deps, communication, stored.payload as BatchInputs);
  return { kind: 'frozen', emails, version, firstAttemptAt: stored.firstAttemptAt, frozenNow };
}

/** Stores a batch's inputs with its first attempt counted; nothing when another attempt stored them first. */
const freezeStatement = preparedStatement((db) =>
  db
    .insert(sendBatches)
    .values({
      key: sql.placeholder('key'),
      communicationId: sql.placeholder('communicationId'),
      messageIds: textArray(sql.placeholder('messageIds')),
      payload: sql`${sql.placeholder('payload')}::jsonb`,
      attempts: 1,
    })
    .onConflictDoNothing()
    .returning({ firstAttemptAt: sendBatches.firstAttemptAt }),
);

const SUPPRESSED_AFTER_FANOUT = 'unsubscribed or suppressed after the fan-out';

async function holdsQueuedMessages(db: Db, batch: { key: string; messageIds: string[] }): Promise<boolean> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`select id from ${messages}
      where id = any(${textArray(batch.messageIds)}) and send_batch_key = ${batch.key} and status = 'queued'
      limit 1`,
  );
  return rows.length > 0;
}
