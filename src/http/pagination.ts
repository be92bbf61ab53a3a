import { z } from 'zod';
import { badRequest } from './errors.js';

/** `limit` defaults to 50 (max 500); `cursor` is the opaque value of a previous `next_cursor`. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

/** Cursors are base64url of the last id seen, so clients cannot come to depend on their shape. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]+_[0-9a-z]+$/.test(value))
    throw badRequest('Invalid cursor.', [{ path: 'query.cursor', message: 'not a cursor from this API' }]);
  return value;
}

/** Takes `limit + 1` rows, returns `limit` and a cursor when there was more. */
export function toPage<T extends { id: string }, U>(rows: T[], limit: number, map: (row: T) => U) {
  const more = rows.length > limit;
  const data = (more ? rows.slice(0, limit) : rows).map(map);
  const last = more ? rows[limit - 1] : undefined;
  return { data, next_cursor: last ? encodeCursor(last.id) : null };
}
