import { describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';

describe('newId', () => {
  it('is prefixed, unique and sorts by creation time', () => {
    const ids = [newId('inc', 1_000), newId('inc', 2_000), newId('inc', 1_700_000_000_000)];
    expect(ids.every((id) => /^inc_[0-9a-z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    const many = new Set(Array.from({ length: 1000 }, () => newId('msg')));
    expect(many.size).toBe(1000);
  });
});
