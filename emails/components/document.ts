import type { statusColors } from './wording.js';

/**
 * One e-mail as a small document model. Each template builds a `EmailDoc` from its props once; the
 * HTML part (`EmailDocument`) and the plain-text part (`documentText`) are both written from it, so
 * the two parts of one e-mail never say different things, and the text part is laid out for reading
 * rather than converted from HTML.
 */
export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'h'; text: string }
  | { kind: 'status'; tone: keyof typeof statusColors; label: string; explanation: string }
  | { kind: 'details'; rows: [label: string, value: string][] }
  | { kind: 'list'; items: string[] }
  | { kind: 'link'; label: string; url: string }
  | { kind: 'button'; label: string; url: string }
  | { kind: 'quote'; text: string }
  | { kind: 'markdown'; source: string }
  | { kind: 'rule' };

export interface EmailDoc {
  /** Resolved BCP 47 language of the copy. */
  lang: string;
  subject: string;
  /** Inbox preview line; must not contain recipient fields (the Preview component truncates). */
  preview: string;
  /** `card` for notices; `letter` is a plain personal letter: no banner, no card, no marketing. */
  layout: 'card' | 'letter';
  eyebrow?: string;
  title?: string;
  blocks: Block[];
  /** Closing lines, e.g. a sentence and the signature. */
  closing: string[];
  footer: {
    reason: string;
    /** Shown before the unsubscribe link ("You can reply …"). */
    note?: string;
    unsubscribe?: { label: string; url: string };
  };
}
