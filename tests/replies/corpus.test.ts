import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInbound } from '../../src/replies/parse.js';
import { corpusDir, wrapBody } from './harness.js';

/**
 * Every body of GitHub's email_reply_parser corpus, wrapped in a message and parsed as Candor parses
 * replies: what the person wrote stays, the quote and the signature go. Expectations follow the
 * original suite's fragments (visible vs. quoted/hidden); `long_quote` and `pathological` are there
 * for time.
 */
const expectations: Record<string, { keeps: string[]; drops: string[] }> = {
  correct_sig: { keeps: ['this is an email with a correct -- signature.'], drops: ['rick'] },
  email_1_1: {
    keeps: [
      'Hi folks',
      'What is the best way to clear a Riak bucket',
      'I am currently using the Java HTTP API.',
    ],
    drops: ['-Abhishek Kona', 'riak-users mailing list'],
  },
  email_1_2: {
    keeps: [
      'Hi,',
      'You can list the keys for the bucket',
      'would do it.',
      'At the moment there is no straightforward way',
    ],
    drops: ['Abhishek Kona wrote', '> Hi folks', 'What is the best way to clear', 'riak-users mailing list'],
  },
  email_1_3: {
    keeps: ['Oh thanks.', 'Having the function would be great.'],
    drops: ['Russell Brown wrote', 'You can list the keys', 'riak-users mailing list'],
  },
  email_1_4: {
    keeps: ["Awesome! I haven't had another problem with it."],
    drops: ['defunkt', 'Loader seems to be working well'],
  },
  email_1_5: {
    keeps: [
      "One: Here's what I've got.",
      '- This would be the first bullet point',
      '- And another one',
      'It goes on and on',
    ],
    drops: [],
  },
  email_1_6: {
    keeps: ['I get proper rendering as well.'],
    drops: ['Corey Donohoe', 'Was this caching related', 'reply@reply.github.com'],
  },
  email_1_7: {
    keeps: [':+1:'],
    drops: ['Chris Wanstrath', 'Steps 0-2 are in prod', 'notifications@github.com'],
  },
  email_1_8: {
    keeps: ['I will reply under this one', 'and under this.'],
    drops: ["here's some stuff I can write", 'okay?', 'Hey there, this is my signature', 'Example Dev'],
  },
  email_2_1: {
    keeps: ['Outlook with a reply'],
    drops: ['Google Apps Sync', 'From:', 'Dear Google Apps Sync user'],
  },
  email_2_2: {
    keeps: ['Outlook with a reply directly above line'],
    drops: ['CRM Comments', 'I am replying to a comment.', '____'],
  },
  email_2_3: {
    keeps: ['Outlook with a reply directly above line'],
    drops: ['CRM Comments', 'A new comment has been added'],
  },
  email_BlackBerry: { keeps: ['Here is another email'], drops: ['Sent from my BlackBerry'] },
  email_bullets: {
    keeps: [
      'test 2 this should list second',
      'and have spaces',
      'and retain this formatting',
      '- how about bullets',
      '- and another',
    ],
    drops: ['Give us an example', 'examples@email.goalengine.com', 'Joe Smith'],
  },
  email_iPhone: { keeps: ['Here is another email'], drops: ['Sent from my iPhone'] },
  email_long_quote: {
    keeps: [
      'Hi folks',
      'What is the best way to clear a Riak bucket',
      'I am currently using the Java HTTP API.',
    ],
    drops: ['riak-users mailing list'],
  },
  email_multi_word_sent_from_my_mobile_device: {
    keeps: ['Here is another email'],
    drops: ['Sent from my Verizon Wireless BlackBerry'],
  },
  email_one_is_not_on: {
    keeps: [
      'Thank, this is really helpful.',
      'One outstanding question I had:',
      'Locally (on development), when I run...',
    ],
    drops: ['Dave Tapley wrote', 'lastLocation'],
  },
  email_sent_from_my_not_signature: {
    keeps: ['Here is another email', 'Sent from my desk, is much easier then my mobile phone.'],
    drops: [],
  },
  email_sig_delimiter_in_middle_of_line: {
    keeps: ['Hi there!', 'Stuff happened.', 'And here is a fix -- this is not a signature.', 'kthxbai'],
    drops: [],
  },
  greedy_on: {
    keeps: ['On your remote host you can run:', 'telnet 127.0.0.1 52698', 'the tunnel is not working.'],
    drops: ['George Plymale wrote', 'port forwarding stopped', 'textmate/rmate/issues'],
  },
  pathological: {
    keeps: [
      "I think you're onto something. I will try to fix the problem as soon as I",
      'get back to a computer.',
    ],
    drops: ['John Sullivan', 'debugging output', 'organism.sequence'],
  },
};

const bodies = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('the email_reply_parser corpus, wrapped in messages', () => {
  it('has an expectation for every body in the corpus', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(20);
    expect(bodies.filter((name) => !expectations[name])).toEqual([]);
  });

  it.each(bodies)('%s keeps what the person wrote and loses the quote', async (name) => {
    const body = readFileSync(path.join(corpusDir, `${name}.txt`), 'utf8');
    const started = performance.now();
    const parsed = await parseInbound(Buffer.from(wrapBody(body, 'reply+abc@replies.acme.example'), 'utf8'));
    const elapsed = performance.now() - started;
    const { keeps, drops } = expectations[name]!;
    for (const kept of keeps) expect(parsed.text).toContain(kept);
    for (const dropped of drops) expect(parsed.text).not.toContain(dropped);
    expect(parsed.text.trim()).not.toBe('');
    expect(elapsed).toBeLessThan(1_000);
  });
});
