import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const base32 = (bytes: Buffer) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
};

/**
 * The token in a message's Reply-To address: 160 bits of HMAC over the message id. Deriving it means
 * the raw token is never stored (only its SHA-256, for lookup) and a worker can rebuild it on retry.
 * Lower-case base32 because some mail systems lower-case local parts.
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
