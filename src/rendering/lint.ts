import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defaultWordLists, type LintWordLists } from './lint/words.js';

export type { LintWordLists } from './lint/words.js';
export { defaultWordLists } from './lint/words.js';

export type LintRule = 'blame' | 'jargon' | 'no-apology' | 'no-ownership' | 'length';

export interface LintWarning {
  rule: LintRule;
  severity: 'warning' | 'info';
  /** The offending words with a little context, as they appear in the text. */
  excerpt: string;
  suggestion: string;
}

export interface LintInput {
  /** Everything the reader will read that staff wrote: subject and body. */
  text: string;
  /** Communication kind; `apology` turns on the apology rules and picks the length limit. */
  kind?: string;
}

const wordChar = '[\\p{L}\\p{N}]';

/** A phrase as a case-insensitive whole-word pattern; a trailing `*` allows any word ending. */
function phrasePattern(phrase: string): RegExp {
  const wildcard = phrase.endsWith('*');
  const body = (wildcard ? phrase.slice(0, -1) : phrase)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  const tail = wildcard ? "[\\p{L}\\p{N}'-]*" : '';
  return new RegExp(`(?<!${wordChar})${body}${tail}(?!${wordChar})`, 'giu');
}

function excerptAt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  const end = Math.min(text.length, index + length + 30);
  const snippet = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${snippet}${end < text.length ? '…' : ''}`;
}

function firstMatch(text: string, phrase: string): RegExpExecArray | null {
  return phrasePattern(phrase).exec(text);
}

/**
 * Content warnings for copy staff wrote. The rules encode the lesson of the 2017 outages: name the
 * problem as ours (never the vendor's), in words customers use, and when apologising, say sorry and
 * say "we". Warnings advise; they never block sending.
 */
export function lintContent(input: LintInput, lists: LintWordLists = defaultWordLists): LintWarning[] {
  const text = input.text.replace(/[’‘]/g, "'");
  const warnings: LintWarning[] = [];
  // Overlapping list entries ("vendor*", "vendor's") must not report the same words twice.
  const seen = new Set<number>();
  for (const phrase of lists.blame) {
    const m = firstMatch(text, phrase);
    if (m && !seen.has(m.index)) {
      seen.add(m.index);
      warnings.push({
        rule: 'blame',
        severity: 'warning',
        excerpt: excerptAt(text, m.index, m[0].length),
        suggestion: `"${m[0]}" shifts the cause onto someone else. Own the problem: customers chose us, not our suppliers; say what went wrong and what we are changing.`,
      });
    }
  }
  seen.clear();
  for (const [term, suggestion] of Object.entries(lists.jargon)) {
    const m = firstMatch(text, term);
    if (m && !seen.has(m.index)) {
      seen.add(m.index);
      warnings.push({
        rule: 'jargon',
        severity: 'warning',
        excerpt: excerptAt(text, m.index, m[0].length),
        suggestion: `"${m[0]}" is engineering language; ${suggestion || 'say it in plain words'}.`,
      });
    }
  }
  if (input.kind === 'apology') {
    if (!lists.apology.some((phrase) => firstMatch(text, phrase))) {
      warnings.push({
        rule: 'no-apology',
        severity: 'warning',
        excerpt: excerptAt(text, 0, 60),
        suggestion: 'An apology should say so plainly: "I am sorry" or "we apologise".',
      });
    }
    if (!lists.ownership.some((phrase) => firstMatch(text, phrase))) {
      warnings.push({
        rule: 'no-ownership',
        severity: 'warning',
        excerpt: excerptAt(text, 0, 60),
        suggestion: 'Say who is responsible: "we" (or "I"), not "the service" or "the system".',
      });
    }
  }
  const words = text.match(/[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
  const max = lists.maxWords[input.kind ?? 'default'] ?? lists.maxWords.default ?? 350;
  if (words > max) {
    warnings.push({
      rule: 'length',
      severity: 'info',
      excerpt: `${words} words`,
      suggestion: `Keep it under ${max} words: people read short e-mails to the end.`,
    });
  }
  return warnings;
}

const overridesSchema = z
  .object({
    blame: z.array(z.string()),
    jargon: z.record(z.string(), z.string()),
    apology: z.array(z.string()),
    ownership: z.array(z.string()),
    maxWords: z.record(z.string(), z.number().int().positive()),
  })
  .partial();

const loaded = new Map<string, Promise<LintWordLists>>();

/**
 * The word lists in force: the defaults, with any phrase list present in the JSON file at `path`
 * replacing the default list of that name, and `jargon`/`maxWords` entries added to (or replacing
 * single entries of) the defaults. Read once per path; a broken file fails loudly rather than silently
 * linting with the defaults.
 */
export function loadLintWordLists(path: string | undefined): Promise<LintWordLists> {
  if (!path) return Promise.resolve(defaultWordLists);
  let lists = loaded.get(path);
  if (!lists) {
    lists = readFile(path, 'utf8').then((raw) => {
      const o = overridesSchema.parse(JSON.parse(raw));
      return {
        ...defaultWordLists,
        ...o,
        jargon: { ...defaultWordLists.jargon, ...o.jargon },
        maxWords: { ...defaultWordLists.maxWords, ...o.maxWords },
      };
    });
    lists.catch(() => loaded.delete(path));
    loaded.set(path, lists);
  }
  return lists;
}

/** The words of a version a reader sees that came from people rather than from the catalogues. */
export function versionText(version: {
  subject: string;
  body: string | null;
  props: Record<string, unknown>;
}) {
  const p = version.props;
  const parts: unknown[] = [version.subject, version.body ?? p.message, p.nextSteps, p.summary, p.cause];
  if (Array.isArray(p.changes)) parts.push(...p.changes);
  if (Array.isArray(p.timeline)) parts.push(...p.timeline.map((e) => (e as { text?: unknown })?.text));
  return parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '').join('\n\n');
}
