import { desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { communications, messages } from '../db/schema.js';
import { tokenHash } from '../delivery/tokens.js';

/** The message a reply answers, with what the reply row links to. */
export interface MatchedMessage {
  messageId: string;
  communicationId: string;
  incidentId: string;
  customerId: string;
  contactId: string;
  email: string;
  kind: string;
  senderUserId: string | null;
}

export type MatchMethod = 'token' | 'in_reply_to' | 'sender';

export interface TokenAddress {
  /** `reply` for replies, `unsubscribe` for the List-Unsubscribe mailto. */
  kind: 'reply' | 'unsubscribe';
  token: string;
}

/** `reply+TOKEN@` / `unsubscribe+TOKEN@` addresses at the reply domain, case-insensitively. */
export function tokenAddresses(addresses: Iterable<string>, replyDomain: string): TokenAddress[] {
  const domain = replyDomain.toLowerCase();
  const found: TokenAddress[] = [];
  for (const address of addresses) {
    const match = /^(reply|unsubscribe)\+([a-z2-7]{1,64})@(.+)$/i.exec(address.trim());
    if (match && match[3]!.toLowerCase() === domain) {
      found.push({ kind: match[1]!.toLowerCase() as TokenAddress['kind'], token: match[2]!.toLowerCase() });
    }
  }
  return found;
}

/** Every token address anywhere in a text (the headers a bounce returns carry our Reply-To). */
export function tokensInText(text: string, replyDomain: string): TokenAddress[] {
  const escaped = replyDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`\\b(?:reply|unsubscribe)\\+[a-z2-7]{1,64}@${escaped}\\b`, 'gi');
  return tokenAddresses(
    [...text.slice(0, 2_000_000).matchAll(pattern)].map((m) => m[0]),
    replyDomain,
  );
}

const selection = {
  messageId: messages.id,
  communicationId: messages.communicationId,
  incidentId: communications.incidentId,
  customerId: messages.customerId,
  contactId: messages.contactId,
  email: messages.email,
  kind: communications.kind,
  senderUserId: communications.senderUserId,
};

export async function messageByToken(db: Db, token: string): Promise<MatchedMessage | null> {
  const [row] = await db
    .select(selection)
    .from(messages)
    .innerJoin(communications, eq(communications.id, messages.communicationId))
    .where(eq(messages.replyTokenHash, tokenHash(token)))
    .limit(1);
  return row ?? null;
}

/** The first of `ids` (In-Reply-To, then References newest first) that names a message Candor sent. */
export async function messageByHeaderIds(db: Db, ids: readonly string[]): Promise<MatchedMessage | null> {
  const wanted = ids.slice(0, 50);
  if (wanted.length === 0) return null;
  const rows = await db
    .select({ ...selection, header: messages.messageIdHeader })
    .from(messages)
    .innerJoin(communications, eq(communications.id, messages.communicationId))
    .where(inArray(messages.messageIdHeader, wanted));
  for (const id of wanted) {
    const row = rows.find((r) => r.header === id);
    if (row) return row;
  }
  return null;
}

/** The latest message sent to this address (any contact row with it). */
export async function latestMessageTo(db: Db, email: string): Promise<MatchedMessage | null> {
  const [row] = await db
    .select(selection)
    .from(messages)
    .innerJoin(communications, eq(communications.id, messages.communicationId))
    .where(eq(messages.email, email.toLowerCase()))
    .orderBy(desc(messages.id))
    .limit(1);
  return row ?? null;
}
