import type { z } from 'zod';
import { unprocessable } from '../../http/errors.js';
import { type EventBody, eventBodySchema } from '../schemas.js';

/** Component slug from a display name: lowercase, every run of other characters becomes one "-". */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

export const slugs = (names: Iterable<string>) => [...new Set([...names].map(slugify).filter(Boolean))];

/** Titles end up in e-mail headers: no line breaks, bounded length. */
export const oneLine = (text: string, max = 300) =>
  text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim()
    .slice(0, max);

/** ISO 8601 UTC from whatever date string a source sends, or undefined when it is not a date. */
export function isoDate(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * Checks a translated event against the same schema POST /v1/events uses, so adapters cannot let through
 * what the API would refuse; a payload that translates into something invalid is 422, naming the problems.
 */
export function validEvent(source: string, event: z.input<typeof eventBodySchema>): EventBody {
  const parsed = eventBodySchema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw unprocessable(
    'untranslatable_payload',
    `The ${source} payload does not translate into a valid event.`,
    parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}
