import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeBase32 } from '../../src/db/ids.js';
import {
  hmacSha256,
  replyToken,
  tokenHash,
  unsubscribeToken,
  verifyUnsubscribeToken,
} from '../../src/delivery/tokens.js';

describe('hmacSha256', () => {
  // Secrets shorter than, equal to and longer than SHA-256's 64-byte block (a longer key is hashed first).
  const secrets = [0, 1, 32, 63, 64, 65, 200].map((length) =>
    Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) % 256)),
  );
  const messages = ['', 'reply:msg_01jd5x', 'unsub:con_000000001', 'é—✓ non-ASCII', 'x'.repeat(1000)];

  it('gives the same bytes as createHmac for every key length and message', () => {
    for (const secret of secrets)
      for (const message of messages)
        expect(hmacSha256(secret, message).toString('hex')).toBe(
          createHmac('sha256', secret).update(message).digest('hex'),
        );
  });

  it('keeps the tokens of messages already sent: the same as before it replaced createHmac', () => {
    const secret = Buffer.alloc(32, 7);
    const base32 = (bytes: Buffer) => encodeBase32(bytes, 'abcdefghijklmnopqrstuvwxyz234567');
    const hmac = (m: string) => createHmac('sha256', secret).update(m).digest();
    expect(replyToken(secret, 'msg_1')).toBe(base32(hmac('reply:msg_1').subarray(0, 20)));
    expect(unsubscribeToken(secret, 'con_1')).toBe(`con_1.${base32(hmac('unsub:con_1').subarray(0, 16))}`);
    expect(tokenHash('ABC')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(verifyUnsubscribeToken(secret, unsubscribeToken(secret, 'con_1'))).toBe('con_1');
    expect(verifyUnsubscribeToken(Buffer.alloc(32, 8), unsubscribeToken(secret, 'con_1'))).toBeNull();
  });
});
