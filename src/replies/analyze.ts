import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { normalizeEmail } from '../audience/schemas.js';
import type { Db } from '../db/client.js';
import { contacts, messages, replies, suppressions } from '../db/schema.js';
import { lowerThan } from '../delivery/provider-events.js';
import { unsubscribe } from '../delivery/unsubscribe.js';
import type { AppDeps } from '../deps.js';
import { classify } from './classify.js';
import { defaultInboundLimits, type InboundLimits, InboundRejectedError } from './limits.js';
import {
  latestMessageTo,
  type MatchedMessage,
  type MatchMethod,
  messageByHeaderIds,
  messageByToken,
  tokenAddresses,
  tokensInText,
} from './match.js';
import { messageIdsIn, type ParsedInbound, parseInbound } from './parse.js';
import { type CandorFacts, factsOf, mergeFacts, type ReplyHeaders, rawBytes } from './store.js';
import { type BounceVerdict, detectAutoReply, detectBounce } from './understand.js';

type Deps = Pick<AppDeps, 'database' | 'config' | 'logger'>;

export interface AnalyzeOutcome {
  replyId: string;
  matched: boolean;
  kind: NonNullable<CandorFacts['kind']> | 'rejected';
  /** Set when the message was over a limit (it stays stored, closed, with the error in its facts). */
  error?: InboundRejectedError;
}

interface Match {
  message: MatchedMessage | null;
  by: MatchMethod | null;
  unknownToken: boolean;
  unsubscribe: boolean;
}

async function findMatch(
  db: Db,
  parsed: ParsedInbound,
  raw: string,
  envelopeTo: string[],
  replyDomain: string,
  bounce: BounceVerdict | null,
): Promise<Match> {
  const none = { message: null, by: null, unknownToken: false, unsubscribe: false };
  const tokens = tokenAddresses(
    [...parsed.recipients, ...envelopeTo.map((a) => a.toLowerCase())],
    replyDomain,
  );
  if (tokens.length > 0) {
    for (const token of tokens) {
      const message = await messageByToken(db, token.token);
      if (message)
        return { message, by: 'token', unknownToken: false, unsubscribe: token.kind === 'unsubscribe' };
    }
    // A forged or stale token is not rescued by weaker evidence: it stays unmatched for a person to look at.
    return { ...none, unknownToken: true };
  }
  if (bounce) {
    // A bounce returns our message's headers: its Reply-To token, or its Message-ID, names it.
    for (const token of tokensInText(raw, replyDomain)) {
      const message = await messageByToken(db, token.token);
      if (message) return { ...none, message, by: 'token' };
    }
    const ids = [...raw.slice(0, 2_000_000).matchAll(/^Message-ID:\s*(<[^>\r\n]{1,500}>)/gim)].flatMap((m) =>
      messageIdsIn(m[1]),
    );
    const byHeader = await messageByHeaderIds(db, ids);
    if (byHeader) return { ...none, message: byHeader, by: 'in_reply_to' };
    const bySender = bounce.recipient ? await latestMessageTo(db, bounce.recipient) : null;
    return bySender ? { ...none, message: bySender, by: 'sender' } : none;
  }
  const byHeader = await messageByHeaderIds(db, parsed.referencedIds);
  if (byHeader) return { ...none, message: byHeader, by: 'in_reply_to' };
  const bySender = parsed.from ? await latestMessageTo(db, parsed.from) : null;
  return bySender ? { ...none, message: bySender, by: 'sender' } : none;
}

/**
 * Parses, matches and understands one stored reply, once: the row moves from `received` to `new`
 * (or `closed` for bounces, mailto unsubscribes and messages over a limit) in one conditional update,
 * so running it twice, or concurrently from the route and the worker, changes nothing the second time.
 * Side effects (replied_at, bounce status, suppression, unsubscribe) are idempotent on their own.
 */
export async function analyzeReply(
  deps: Deps,
  replyId: string,
  limits: InboundLimits = defaultInboundLimits,
): Promise<AnalyzeOutcome | null> {
  const { db } = deps.database;
  // The raw message (up to `maxBytes`) is read only when it is still to be analysed: a reply analysed
  // inline when it arrived is asked about again by its queued job, which needs only the answer.
  const [row] = await db
    .select({
      ...getTableColumns(replies),
      raw: sql<string | null>`case when ${replies.status} = 'received' then ${replies.raw} end`,
    })
    .from(replies)
    .where(eq(replies.id, replyId));
  if (!row) return null;
  const facts = factsOf(row.headers);
  if (row.status !== 'received' || row.raw === null) {
    return { replyId, matched: row.matched, kind: facts.error ? 'rejected' : (facts.kind ?? 'reply') };
  }
  let parsed: ParsedInbound;
  try {
    parsed = await parseInbound(rawBytes(row.raw), limits);
  } catch (error) {
    if (!(error instanceof InboundRejectedError)) throw error;
    const headers: ReplyHeaders = {
      candor: { ...facts, error: { code: error.code, message: error.message } },
    };
    await db
      .update(replies)
      .set({ status: 'closed', headers })
      .where(and(eq(replies.id, replyId), eq(replies.status, 'received')));
    deps.logger.info({ replyId, code: error.code }, 'inbound message over a limit; stored and closed');
    return { replyId, matched: false, kind: 'rejected', error };
  }
  const bounce = detectBounce(parsed);
  const match = await findMatch(
    db,
    parsed,
    row.raw,
    facts.envelope?.to ?? [],
    deps.config.replyDomain,
    bounce,
  );
  const auto = detectAutoReply(parsed);
  const kind: NonNullable<CandorFacts['kind']> = bounce
    ? 'bounce'
    : match.unsubscribe
      ? 'unsubscribe'
      : auto.auto
        ? 'auto_reply'
        : 'reply';
  const classification = classify(parsed.text, parsed.subject ?? '');
  const message = match.message;
  const isReply = kind === 'reply';
  const newFacts: CandorFacts = {
    ...facts,
    kind,
    matchedBy: match.by,
    ...(match.unknownToken ? { unknownToken: true } : {}),
    autoReason: bounce
      ? 'delivery status report'
      : match.unsubscribe
        ? 'list-unsubscribe mailto'
        : auto.reason,
    ...(bounce ? { bounce } : {}),
    scores: classification.scores,
    ...(isReply && message?.kind === 'apology' && message.senderUserId
      ? { forward: 'pending' as const }
      : {}),
  };
  const updated = await db.transaction(async (tx) => {
    const changed = await tx
      .update(replies)
      .set({
        messageId: message?.messageId ?? null,
        communicationId: message?.communicationId ?? null,
        incidentId: message?.incidentId ?? null,
        customerId: message?.customerId ?? null,
        contactId: message?.contactId ?? null,
        fromAddress: parsed.from,
        subject: parsed.subject?.slice(0, 1_000) ?? null,
        text: parsed.text,
        html: parsed.html,
        headers: { message: parsed.headers, candor: newFacts } satisfies ReplyHeaders,
        attachments: parsed.attachments,
        category: bounce ? null : match.unsubscribe ? 'unsubscribe_request' : classification.category,
        status: isReply || kind === 'auto_reply' ? 'new' : 'closed',
        auto: !isReply,
        matched: message !== null,
      })
      .where(and(eq(replies.id, replyId), eq(replies.status, 'received')))
      .returning({ id: replies.id });
    if (changed.length === 0 || !message) return changed.length > 0;
    if (isReply) {
      // The communication's `replied` count counts messages with replied_at: the first human reply sets it.
      await tx
        .update(messages)
        .set({
          repliedAt: sql`coalesce(${messages.repliedAt}, ${row.receivedAt.toISOString()}::timestamptz)`,
          updatedAt: new Date(),
        })
        .where(eq(messages.id, message.messageId));
    }
    if (bounce) await applyBounce(tx as unknown as Db, replyId, message, bounce);
    return true;
  });
  if (updated && match.unsubscribe && message) await unsubscribeByMail(deps, replyId, message);
  return { replyId, matched: message !== null, kind };
}

async function applyBounce(
  db: Db,
  replyId: string,
  message: MatchedMessage,
  bounce: BounceVerdict,
): Promise<void> {
  await db
    .update(messages)
    .set({
      status: 'bounced',
      error: `bounced (DSN): ${bounce.status ?? 'no status'} ${bounce.diagnostic ?? ''}`.trim(),
      updatedAt: new Date(),
    })
    .where(and(eq(messages.id, message.messageId), inArray(messages.status, lowerThan('bounced'))));
  if (!bounce.permanent) return;
  await db
    .insert(suppressions)
    .values({
      email: normalizeEmail(bounce.recipient ?? message.email),
      reason: 'bounce',
      source: 'inbound-dsn',
      details: {
        replyId,
        messageId: message.messageId,
        status: bounce.status,
        diagnostic: bounce.diagnostic,
      },
    })
    .onConflictDoNothing({ target: suppressions.email });
}

/** `mailto:unsubscribe+TOKEN@…` from List-Unsubscribe: the same decision as the one-click link. */
async function unsubscribeByMail(deps: Deps, replyId: string, message: MatchedMessage): Promise<void> {
  const { db } = deps.database;
  const [contact] = await db
    .select({ email: contacts.email, locale: contacts.locale, unsubscribedAt: contacts.unsubscribedAt })
    .from(contacts)
    .where(eq(contacts.id, message.contactId));
  if (!contact) return;
  // `via` has no 'mailto' yet; the mailto is RFC 8058's one-click equivalent for mail clients.
  const changed = await unsubscribe(db, { contactId: message.contactId, ...contact }, 'one-click');
  await mergeFacts(db, replyId, { unsubscribedContacts: changed });
}
