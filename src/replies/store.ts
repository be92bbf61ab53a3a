import { createHash } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { replies } from '../db/schema.js';
import { jobIds } from '../delivery/queues.js';
import type { AppDeps } from '../deps.js';
import type { MatchMethod } from './match.js';
import type { BounceVerdict } from './understand.js';

export type InboundSource = 'mime' | 'smtp' | 'resend';

/**
 * Facts about a reply that have no column yet, kept under `headers.candor` (the parsed message's own
 * headers sit under `headers.message`). See the report to the lead for the columns they stand in for.
 */
export interface CandorFacts {
  sha256?: string;
  envelope?: { from?: string | null; to: string[] };
  resendEmailId?: string;
  deliveryEventId?: string;
  kind?: 'reply' | 'auto_reply' | 'bounce' | 'unsubscribe';
  matchedBy?: MatchMethod | null;
  unknownToken?: boolean;
  autoReason?: string | null;
  bounce?: BounceVerdict;
  scores?: Record<string, number>;
  error?: { code: string; message: string };
  forward?: 'pending' | 'done' | 'failed';
  forwardedAt?: string;
  forwardedTo?: string;
  forwardError?: string;
  unsubscribedContacts?: number;
}

export interface ReplyHeaders {
  message?: Record<string, string>;
  candor: CandorFacts;
}

export const factsOf = (headers: unknown): CandorFacts =>
  ((headers as ReplyHeaders | null)?.candor ?? {}) as CandorFacts;

/** The bytes of a stored raw message: `raw` holds them latin1-decoded, one character per byte. */
export const rawBytes = (raw: string): Buffer => Buffer.from(raw, 'latin1');

/** The inverse of `rawBytes` for storing: NUL, which PostgreSQL text cannot hold, is the one byte dropped. */
export const rawText = (raw: Buffer): string => raw.toString('latin1').replaceAll('\u0000', '');

export interface StoreRawInput {
  raw: Buffer;
  source: InboundSource;
  envelope?: CandorFacts['envelope'];
  /** A caller-chosen id (the Resend path derives it from the event, so redelivery stores nothing new). */
  id?: string;
  facts?: CandorFacts;
  receivedAt?: Date;
}

const DEDUPE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Stores a raw message before anything else looks at it: whatever goes wrong later, the message is
 * kept. Bytes are stored latin1-decoded so any 8-bit content survives a text column unchanged (NUL,
 * which PostgreSQL text cannot hold, is the one byte dropped). The same bytes posted again within a
 * day answer the first row (a client retrying after a lost answer must not make two replies).
 */
export async function storeRawReply(
  db: Db,
  input: StoreRawInput,
): Promise<{ id: string; duplicate: boolean }> {
  const sha256 = createHash('sha256').update(input.raw).digest('hex');
  if (!input.id) {
    const [existing] = await db
      .select({ id: replies.id })
      .from(replies)
      .where(
        and(
          sql`${replies.headers}->'candor'->>'sha256' = ${sha256}`,
          gt(replies.receivedAt, new Date(Date.now() - DEDUPE_WINDOW_MS)),
        ),
      )
      .limit(1);
    if (existing) return { id: existing.id, duplicate: true };
  }
  const id = input.id ?? newId('rpl');
  const headers: ReplyHeaders = {
    candor: { ...input.facts, sha256: input.raw.length > 0 ? sha256 : undefined, envelope: input.envelope },
  };
  const inserted = await db
    .insert(replies)
    .values({
      id,
      source: input.source,
      raw: rawText(input.raw),
      headers,
      status: 'received',
      ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
    })
    .onConflictDoNothing({ target: replies.id })
    .returning({ id: replies.id });
  return { id, duplicate: inserted.length === 0 };
}

/** Queues processing of a stored reply; when Redis is down the sweeper's `processPendingReplies` does it. */
export async function enqueueReply(
  deps: Pick<AppDeps, 'queues' | 'logger'>,
  replyId: string,
): Promise<boolean> {
  try {
    await deps.queues.add('inbound', { replyId }, jobIds.inbound(replyId));
    return true;
  } catch (error) {
    deps.logger.warn({ err: error, replyId }, 'reply stored but not queued; the sweeper will process it');
    return false;
  }
}

/** Merges `facts` into `headers.candor` in one statement, so concurrent writers do not lose each other's keys. */
export async function mergeFacts(db: Db, replyId: string, facts: CandorFacts): Promise<void> {
  await db
    .update(replies)
    .set({
      headers: sql`jsonb_set(coalesce(${replies.headers}, '{}'::jsonb), '{candor}', coalesce(${replies.headers}->'candor', '{}'::jsonb) || ${JSON.stringify(facts)}::jsonb)`,
    })
    .where(eq(replies.id, replyId));
}
