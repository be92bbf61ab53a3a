import { de } from './de.js';
import { en, type Messages } from './en.js';

export type { Messages } from './en.js';

export const locales = ['en', 'de'] as const;
export type Locale = (typeof locales)[number];

const catalogues: Record<Locale, Messages> = { en, de };

/**
 * Maps a contact's or customer's BCP 47 tag to a shipped catalogue: `de`, `de-DE`, `de-AT`, `DE_ch`
 * all read German; anything unknown or missing reads English rather than failing the send.
 */
export function resolveLocale(tag: string | null | undefined): Locale {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return (locales as readonly string[]).includes(base ?? '') ? (base as Locale) : 'en';
}

export function messagesFor(tag: string | null | undefined): Messages {
  return catalogues[resolveLocale(tag)];
}
