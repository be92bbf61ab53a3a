import { and, eq } from 'drizzle-orm';
import MailComposer from 'nodemailer/lib/mail-composer';
import { Resend } from 'resend';
import { replies } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { defaultInboundLimits } from './limits.js';
import { enqueueReply, factsOf, rawText, storeRawReply } from './store.js';

type Deps = Pick<AppDeps, 'database' | 'config' | 'logger' | 'queues'>;

/** The part of an `email.received` event Candor needs; the event itself is stored by the webhook route. */
export interface ReceivedEvent {
  type: string;
  data?: { email_id?: string; to?: string[]; received_for?: string[]; from?: string };
}

/** `rpl_` + the delivery event's own id: a redelivered event finds its reply already there. */
export const replyIdForEvent = (deliveryEventId: string) => `rpl_${deliveryEventId.replace(/^[a-z]+_/, '')}`;

/**
 * Called by the webhook route for `email.received`, new or redelivered. Stores a placeholder reply
 * (empty raw, the Resend email id in its facts) and queues it; the worker fetches the full message,
 * so the webhook answers at once and a Resend API outage only delays processing (job retries, then
 * the sweeper's `processPendingReplies`).
 */
export async function acceptResendReceived(
  deps: Deps,
  deliveryEventId: string,
  event: ReceivedEvent,
): Promise<string | null> {
  const emailId = event.data?.email_id;
  if (!emailId) {
    deps.logger.warn({ deliveryEventId }, 'email.received without email_id; stored as a provider event only');
    return null;
  }
  const id = replyIdForEvent(deliveryEventId);
  const to = [...(event.data?.to ?? []), ...(event.data?.received_for ?? [])].filter(
    (a) => typeof a === 'string',
  );
  await storeRawReply(deps.database.db, {
    id,
    raw: Buffer.alloc(0),
    source: 'resend',
    envelope: { from: event.data?.from ?? null, to },
    facts: { resendEmailId: emailId, deliveryEventId },
  });
  await enqueueReply(deps, id);
  return id;
}

interface ReceivedEmail {
  from: string;
  to: string[];
  cc: string[] | null;
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string> | null;
  message_id: string;
  raw?: { download_url: string } | null;
}

/** Rebuilds an RFC 822 message from the API's fields when Resend offers no raw download. */
async function composeFromFields(email: ReceivedEmail): Promise<Buffer> {
  const own = new Set([
    'from',
    'to',
    'cc',
    'subject',
    'message-id',
    'content-type',
    'mime-version',
    'content-transfer-encoding',
  ]);
  const headers = Object.entries(email.headers ?? {}).filter(
    ([k, v]) => !own.has(k.toLowerCase()) && !/[\r\n]/.test(v),
  );
  return new MailComposer({
    from: email.from,
    to: email.to,
    cc: email.cc ?? undefined,
    subject: email.subject,
    messageId: email.message_id,
    text: email.text ?? undefined,
    html: email.html ?? undefined,
    headers: Object.fromEntries(headers),
    disableFileAccess: true,
    disableUrlAccess: true,
  })
    .compile()
    .build();
}

async function download(url: string, maxBytes: number): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok || !response.body) throw new Error(`raw download answered ${response.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    // Over the limit: stop reading; the parser then refuses it as too large, with the row kept.
    if (size > maxBytes) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks);
}

/**
 * Fetches the full message of a Resend placeholder with the SDK's receiving API (`GET
 * /emails/receiving/:id`) and stores its raw bytes (the signed `raw.download_url`, else a message
 * rebuilt from the answer). Throws on provider trouble so the job retries.
 */
export async function fetchResendRaw(
  deps: Deps,
  replyId: string,
  maxBytes = defaultInboundLimits.maxBytes,
): Promise<boolean> {
  const { db } = deps.database;
  // Only a placeholder (empty raw) needs fetching; never load a stored message's bytes to find out.
  const [row] = await db
    .select({ headers: replies.headers })
    .from(replies)
    .where(and(eq(replies.id, replyId), eq(replies.raw, '')));
  const emailId = row ? factsOf(row.headers).resendEmailId : undefined;
  if (!emailId) return false;
  const { apiKey, baseUrl } = deps.config.resend;
  if (!apiKey) throw new Error('RESEND_API_KEY is not set; cannot fetch received e-mails');
  const client = new Resend(apiKey, baseUrl ? { baseUrl } : undefined);
  const { data, error } = await client.emails.receiving.get(emailId);
  if (error || !data) throw new Error(`resend receiving get ${emailId}: ${error?.message ?? 'no data'}`);
  const raw = data.raw?.download_url
    ? await download(data.raw.download_url, maxBytes)
    : await composeFromFields(data);
  await db
    .update(replies)
    .set({ raw: rawText(raw) })
    .where(and(eq(replies.id, replyId), eq(replies.raw, '')));
  return true;
}
