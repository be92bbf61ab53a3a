import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const encoded = await hashPassword('correct horse battery');
    expect(encoded).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', encoded)).toBe(true);
    expect(await verifyPassword('correct horse batterY', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('treats malformed or hostile encodings as a mismatch instead of throwing', async () => {
    const encoded = await hashPassword('pw-0123456789');
    const [, , r, p, salt, hash] = encoded.split('$');
    expect(await verifyPassword('pw-0123456789', 'plain-text')).toBe(false);
    expect(await verifyPassword('pw-0123456789', `bcrypt$32768$${r}$${p}$${salt}$${hash}`)).toBe(false);
    // A tampered row must not make verification allocate gigabytes.
    expect(await verifyPassword('pw-0123456789', `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`)).toBe(false);
  });
});
