import { describe, expect, it } from 'vitest';
import { categories, classify, rules } from '../../src/replies/classify.js';
import type { ParsedInbound } from '../../src/replies/parse.js';
import { detectAutoReply } from '../../src/replies/understand.js';

const cases: [string, string, (typeof categories)[number]][] = [
  ['en', 'Thanks for the quick update!', 'thanks'],
  ['en', 'We appreciate the transparency.', 'thanks'],
  ['en', 'When will the API be back?', 'question'],
  ['en', 'Could you please confirm whether data was lost', 'question'],
  ['en', 'Thanks, but when will it be fixed?', 'question'],
  ['en', 'This is unacceptable. Third outage this month, we want a refund.', 'complaint'],
  ['en', 'Thanks for nothing. We are disappointed and will cancel.', 'complaint'],
  ['en', 'Please unsubscribe me from these e-mails.', 'unsubscribe_request'],
  ['en', 'Stop sending these, thank you.', 'unsubscribe_request'],
  ['en', 'ok', 'other'],
  ['en', 'See attached.', 'other'],
  ['de', 'Vielen Dank für die schnelle Info!', 'thanks'],
  ['de', 'Danke, gut gemacht.', 'thanks'],
  ['de', 'Wann ist das Problem behoben?', 'question'],
  ['de', 'Können Sie uns sagen, ob Daten betroffen sind', 'question'],
  ['de', 'Das ist inakzeptabel, schon wieder ein Ausfall. Wir erwarten eine Gutschrift.', 'complaint'],
  ['de', 'Wir sind sehr verärgert.', 'complaint'],
  ['de', 'Bitte tragen Sie mich aus, ich möchte keine E-Mails mehr.', 'unsubscribe_request'],
  ['de', 'Bitte abmelden.', 'unsubscribe_request'],
];

describe('the reply classification rules', () => {
  it.each(cases)('%s: %s → %s', (_lang, text, category) => {
    expect(classify(text).category).toBe(category);
  });

  it('reads a subject the customer wrote, not our own "Re:" subject', () => {
    expect(classify('', 'Unsubscribe').category).toBe('unsubscribe_request');
    expect(classify('', 'Re: Why is the help desk down?').category).toBe('other');
  });

  it('has rules for every category but other, each with a positive weight', () => {
    for (const category of categories.filter((c) => c !== 'other')) {
      expect(rules.some((r) => r.category === category)).toBe(true);
    }
    expect(rules.every((r) => r.weight > 0)).toBe(true);
  });
});

describe('auto-reply detection', () => {
  const base = { headers: {}, subject: 'Re: Errors', returnPath: null } as unknown as ParsedInbound;
  it.each([
    [{ 'auto-submitted': 'auto-replied' }, null, true],
    [{ 'auto-submitted': 'no' }, null, false],
    [{ precedence: 'bulk' }, null, true],
    [{ precedence: 'list' }, null, false],
    [{ 'x-autoreply': 'yes' }, null, true],
    [{}, 'Out of Office: Errors', true],
    [{}, 'Automatische Antwort: Störung', true],
    [{}, 'Réponse automatique : incident', true],
    [{}, 'Re: Are you out of your mind?', false],
  ] as const)('%j / %s → %s', (headers, subject, auto) => {
    expect(detectAutoReply({ ...base, headers: { ...headers }, subject: subject ?? base.subject }).auto).toBe(
      auto,
    );
  });
});
