import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { encodeBase32 } from '../db/ids.js';

/** RFC 4648 lower-case: some mail systems lower-case local parts, so tokens must survive that. */
const base32 = (bytes: Uint8Array) => encodeBase32(bytes, 'abcdefghijklmnopqrstuvwxyz234567');

/**
 * The token in a message's Reply-To address: 160 bits of HMAC over the message id. Deriving it means
 * the raw token is never stored (only its SHA-256, for lookup) and a worker can rebuild it on retry.
 */
export function replyToken(secret: Buffer, messageId: string): string {
  return base32(createHmac('sha256', secret).update(`reply:${messageId}`).digest().subarray(0, 20));
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token.toLowerCase()).digest('hex');
}

/** `<contact id>.<signature>`: the unsubscribe link works without a database lookup of a token. */
export function unsubscribeToken(secret: Buffer, contactId: string): string {
  return `${contactId}.${base32(createHmac('sha256', secret).update(`unsub:${contactId}`).digest().subarray(0, 16))}`;
}

export function verifyUnsubscribeToken(secret: Buffer, token: string): string | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const contactId = token.slice(0, dot);
  const expected = Buffer.from(unsubscribeToken(secret, contactId));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given) ? contactId : null;
}
