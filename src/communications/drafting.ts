import { type LintWordLists, lintContent } from '../rendering/lint.js';
import type { ApologyFacts } from './apology-facts.js';

/**
 * Stands for the recipient's own minutes of disruption in an apology's Markdown. The approved text keeps
 * the placeholder (so one approval covers every recipient); the send path substitutes it per customer.
 */
export const MINUTES_AFFECTED = '{{minutes_affected}}';
const placeholder = /\{\{\s*minutes_affected\s*\}\}/g;

/** The body with each customer's minutes filled in ("1 minutes" reads as a slip, so it is mended). */
export function personaliseApologyBody(body: string, values: { minutesAffected: number }): string {
  const minutes = String(Math.max(0, Math.round(values.minutesAffected)));
  return body.replace(placeholder, minutes).replace(/(?<![\d.,])1 minutes\b/g, '1 minute');
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });
const day = (d: Date) => dateFormat.format(d);
const time = (d: Date) => timeFormat.format(d);
const sameDay = (a: Date, b: Date) => a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Errors loading the help desk" → "errors loading the help desk"; acronyms keep their case. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

function when(facts: ApologyFacts): string {
  const start = facts.firstStartedAt;
  const end = facts.lastEndedAt;
  if (facts.disruptions > 1 || facts.windows.length > 1) {
    if (!end || sameDay(start, end)) return `On ${day(start)}`;
    return `Between ${day(start)} and ${day(end)}`;
  }
  if (!end) return `Since ${time(start)} UTC on ${day(start)}`;
  if (sameDay(start, end)) return `On ${day(start)}, from ${time(start)} to ${time(end)} UTC`;
  return `From ${time(start)} UTC on ${day(start)} to ${time(end)} UTC on ${day(end)}`;
}

/** One line stays a paragraph; several (an engineer's list of changes) become a Markdown list. */
function asMarkdown(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*[-*•]\s*/, '').trim())
    .filter(Boolean);
  return lines.length === 1 ? lines[0]! : lines.map((line) => `- ${line}`).join('\n');
}

interface Wording {
  /** Name what customers saw (the incident title) and quote the latest update; off when they fail the lint. */
  specifics: boolean;
}

function compose(facts: ApologyFacts, wording: Wording): { subject: string; body: string } {
  const experienced = wording.specifics
    ? `you and your customers ran into ${lowerFirst(facts.title.replace(/[.\s]+$/, ''))}`
    : 'parts of our service did not work for you';
  const times = facts.disruptions > 1 ? ` ${facts.disruptions} times` : '';
  const paragraphs = [
    `${when(facts)}, ${experienced}${times}.`,
    facts.disruptions > 1
      ? `In all, that was ${plural(facts.totalMinutes, 'minute')} of disruption. For your team, it added up to about ${MINUTES_AFFECTED} minutes.`
      : `For your team, that meant about ${MINUTES_AFFECTED} minutes when you could not count on us.`,
    `I am sorry. You rely on us to be there when your own customers need you, and we let you down${
      facts.disruptions > 1 ? ' again and again' : ''
    }. This was our problem, and it is ours to fix. You should have heard about it from us first, in plain words.`,
    wording.specifics && facts.latestChange
      ? `Here is what we have changed since:\n\n${asMarkdown(facts.latestChange)}`
      : 'We are going through what happened, step by step, and we will tell you what we change so that it does not happen again.',
    'If you have anything to tell me, simply reply to this e-mail. It comes straight to me, and I read every answer.',
  ];
  const subject =
    facts.disruptions > 1
      ? `About the ${facts.disruptions} disruptions since ${day(facts.firstStartedAt)}`
      : `About the disruption on ${day(facts.firstStartedAt)}`;
  return { subject, body: paragraphs.join('\n\n') };
}

/**
 * A first draft of an executive's apology, written from the incident's facts: what customers saw, when
 * and for how long, how often, what has changed, a plain apology that owns the problem, and an invitation
 * to reply. The incident title and update text come from monitoring tools and engineers; when they would
 * bring blame or jargon into the letter, the draft says the same in general words instead, so the draft
 * itself always passes the content lint.
 */
export function draftApology(facts: ApologyFacts, lists?: LintWordLists): { subject: string; body: string } {
  const specific = compose(facts, { specifics: true });
  const text = `${specific.subject}\n\n${specific.body}`;
  const problems = lintContent({ text, kind: 'apology' }, lists).filter(
    (w) => w.rule === 'blame' || w.rule === 'jargon',
  );
  return problems.length === 0 ? specific : compose(facts, { specifics: false });
}
