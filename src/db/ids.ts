import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Base32 with the given 32-character alphabet, no padding. */
export function encodeBase32(bytes: Uint8Array, alphabet: string = CROCKFORD): string {
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
}

/**
 * A prefixed, time-sortable id (`inc_01j…`): 48 bits of milliseconds then 80 random bits, like a ULID.
 * Sorting ids sorts by creation time, which is what keyset pagination "newest first" relies on.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  const time = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((time >> BigInt(8 * (5 - i))) & 0xffn);
  bytes.set(randomBytes(10), 6);
  return `${prefix}_${encodeBase32(bytes)}`;
}
