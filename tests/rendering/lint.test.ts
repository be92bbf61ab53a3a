import { describe, expect, it } from 'vitest';
import { defaultWordLists, lintContent, versionText } from '../../src/rendering/lint.js';

const rules = (text: string, kind?: string) => lintContent({ text, kind }).map((w) => w.rule);

describe('content lint', () => {
  it('flags the 2017 draft that blamed the database vendor, in jargon', () => {
    const found = rules(
      "Our database vendor's bug caused a deadlock in the privileges table and a slow failover.",
      'apology',
    );
    expect(found).toContain('blame');
    expect(found.filter((r) => r === 'jargon').length).toBeGreaterThanOrEqual(3);
    expect(found).toContain('no-apology');
  });

  it('passes the apology that was actually sent', () => {
    expect(
      rules(
        'Over the past two weeks, our help desk stopped working for you sixteen times. That is not good enough, and I am sorry. The problem was ours to prevent.',
        'apology',
      ),
    ).toEqual([]);
  });

  it.each([
    ['This was outside our control.', 'blame'],
    ['It was not our fault.', 'blame'],
    ['Our provider had an outage.', 'blame'],
    ['We saw 5xx errors and high latency.', 'jargon'],
    ['The RCA follows.', 'jargon'],
    ['Der Fehler lag bei unserem Dienstleister.', 'blame'],
  ])('%j → %s', (text, rule) => {
    expect(rules(text)).toContain(rule);
  });

  it('asks an apology for "sorry" and for "we"', () => {
    expect(rules('The service was unavailable. Sorry.', 'apology')).toEqual(['no-ownership']);
    expect(rules('Es tut uns leid, wir haben Fehler gemacht.', 'apology')).toEqual([]);
    expect(rules('The service was unavailable.', 'notice')).toEqual([]);
  });

  it('warns about length per kind and gives an excerpt and a suggestion', () => {
    const long = 'word '.repeat(defaultWordLists.maxWords.notice! + 1);
    const [warning] = lintContent({ text: long, kind: 'notice' });
    expect(warning).toMatchObject({ rule: 'length', severity: 'info', excerpt: '201 words' });
  });

  it('reads the words people wrote from a version', () => {
    expect(
      versionText({
        subject: 'S',
        body: null,
        props: { message: 'M', cause: 'C', changes: ['X'], timeline: [{ text: 'T' }] },
      }),
    ).toBe('S\n\nM\n\nC\n\nX\n\nT');
  });
});
