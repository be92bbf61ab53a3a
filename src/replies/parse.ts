import PostalMime, { type Address, type Email } from 'postal-mime';
import {
  defaultInboundLimits,
  type InboundLimits,
  InboundRejectedError,
  precheckMime,
  withinTime,
} from './limits.js';
import { htmlToReplyText, stripQuotedText } from './quotes.js';

export interface AttachmentMeta {
  filename: string | null;
  type: string;
  size: number;
}

/** What Candor keeps of one inbound message after parsing; content of attachments is not kept. */
export interface ParsedInbound {
  from: string | null;
  fromName: string | null;
  /** Every recipient address seen: To, Cc, Delivered-To, X-Original-To (lower-cased). */
  recipients: string[];
  subject: string | null;
  messageId: string | null;
  /** In-Reply-To first, then References newest first; no angle brackets. */
  referencedIds: string[];
  /** Lower-cased header name → value; repeated headers joined with "\n". Bounded. */
  headers: Record<string, string>;
  returnPath: string | null;
  contentType: string;
  /** What the person wrote: quotes and signature removed. */
  text: string;
  html: string | null;
  attachments: AttachmentMeta[];
  /** Decoded `message/delivery-status` parts, for bounce handling. */
  deliveryStatus: string | null;
}

const MAX_HEADERS = 200;
const MAX_HEADER_VALUE = 4_000;
const MAX_HTML = 1_000_000;

function mailboxes(list: Address[] | Address | undefined): { name: string; address: string }[] {
  if (!list) return [];
  const out: { name: string; address: string }[] = [];
  for (const entry of Array.isArray(list) ? list : [list]) {
    if (entry.group) out.push(...entry.group);
    else if (entry.address) out.push({ name: entry.name, address: entry.address });
  }
  return out;
}

/** Addresses inside header values such as `Delivered-To` or `X-Original-To`. */
export function addressesIn(value: string): string[] {
  return [...value.matchAll(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g)].map((m) => m[0].toLowerCase());
}

export function messageIdsIn(value: string | undefined): string[] {
  if (!value) return [];
  return [...value.matchAll(/<([^<>\s]{1,500})>/g)].map((m) => m[1]!);
}

function headerMap(email: Email): Record<string, string> {
  const map: Record<string, string> = {};
  for (const header of email.headers.slice(0, MAX_HEADERS)) {
    const value = header.value.slice(0, MAX_HEADER_VALUE);
    map[header.key] = map[header.key] === undefined ? value : `${map[header.key]}\n${value}`;
  }
  return map;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function deliveryStatusOf(email: Email): string | null {
  const parts = email.attachments.filter((a) => a.mimeType === 'message/delivery-status');
  if (parts.length === 0) return null;
  return parts
    .map((a) => (typeof a.content === 'string' ? a.content : decoder.decode(a.content)))
    .join('\n')
    .slice(0, 64_000);
}

/**
 * Parses one raw message within `limits`: the structure is checked first (size, parts, depth), then
 * postal-mime decodes charsets and transfer encodings; HTML-only replies are turned into text; quotes
 * and signatures are stripped. Throws `InboundRejectedError` for anything over a limit.
 */
export async function parseInbound(
  raw: Buffer,
  limits: InboundLimits = defaultInboundLimits,
): Promise<ParsedInbound> {
  precheckMime(raw, limits);
  let email: Email;
  try {
    email = await withinTime(
      PostalMime.parse(raw, {
        maxNestingDepth: limits.maxDepth + 2,
        maxHeadersSize: 512 * 1024,
        maxRfc822NestingDepth: 2,
      }),
      limits.maxParseMs,
    );
  } catch (error) {
    if (error instanceof InboundRejectedError) throw error;
    throw new InboundRejectedError(422, 'unparsable', `Message could not be parsed: ${String(error)}`);
  }
  const headers = headerMap(email);
  const from = mailboxes(email.from)[0];
  const recipients = new Set<string>();
  for (const m of [...mailboxes(email.to), ...mailboxes(email.cc)]) recipients.add(m.address.toLowerCase());
  for (const name of ['delivered-to', 'x-original-to', 'envelope-to', 'x-forwarded-to']) {
    for (const address of addressesIn(headers[name] ?? '')) recipients.add(address);
  }
  const html = email.html ? email.html.slice(0, MAX_HTML) : null;
  // The plain part is what the client itself wrote as text; the HTML is only the fallback.
  const body = email.text?.trim() ? email.text : html ? htmlToReplyText(html) : '';
  const references = messageIdsIn(email.references).reverse();
  return {
    from: from?.address.toLowerCase() ?? null,
    fromName: from?.name || null,
    recipients: [...recipients],
    subject: email.subject ?? null,
    messageId: messageIdsIn(email.messageId)[0] ?? null,
    referencedIds: [...new Set([...messageIdsIn(email.inReplyTo), ...references])],
    headers,
    returnPath: headers['return-path'] ?? null,
    contentType: headers['content-type'] ?? 'text/plain',
    text: stripQuotedText(body.slice(0, limits.maxTextChars)),
    html,
    attachments: email.attachments
      .filter((a) => a.mimeType !== 'message/delivery-status')
      .map((a) => ({
        filename: a.filename,
        type: a.mimeType,
        size: typeof a.content === 'string' ? a.content.length : a.content.byteLength,
      })),
    deliveryStatus: deliveryStatusOf(email),
  };
}
