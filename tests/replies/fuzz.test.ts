import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundRejectedError } from '../../src/replies/limits.js';
import { parseInbound } from '../../src/replies/parse.js';
import { stripQuotedText } from '../../src/replies/quotes.js';
import { type RepliesHarness, startRepliesHarness } from './harness.js';

const line = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '> quoted',
    'On Mon, Jan 1, 2024 at 10:00 AM X <x@y.z> wrote:',
    'From: a',
    'Sent: b',
    '-- ',
    '__',
    '-----Original Message-----',
    '--b0',
    '--b0--',
    'Content-Type: multipart/mixed; boundary="b0"',
    'Content-Transfer-Encoding: base64',
    '=?utf-8?B?w6Q=?=',
    '=C3=A4=',
    '<div class="gmail_quote">',
    '</blockquote>',
  ),
);
const header = fc.tuple(
  fc.constantFrom(
    'From',
    'To',
    'Subject',
    'Content-Type',
    'Content-Transfer-Encoding',
    'In-Reply-To',
    'References',
    'Auto-Submitted',
    'Return-Path',
    'X-Weird',
    'Delivered-To',
  ),
  fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.constantFrom(
      'multipart/mixed; boundary="b0"',
      'text/html; charset=iso-2022-jp',
      'message/rfc822',
      'quoted-printable',
      'base64',
      '<>',
      'reply+abc@replies.acme.example',
    ),
  ),
);
const message = fc
  .tuple(
    fc.array(header, { maxLength: 12 }),
    fc.array(line, { maxLength: 60 }),
    fc.constantFrom('\r\n', '\n'),
  )
  .map(
    ([headers, body, eol]) =>
      `${headers.map(([k, v]) => `${k}: ${v}`).join(eol)}${eol}${eol}${body.join(eol)}`,
  );

/** Random but well-formed nesting: multiparts of random depth and width with random encodings. */
const mime: fc.Arbitrary<string> = fc.letrec<{ part: string }>((tie) => ({
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(
        fc.constantFrom('text/plain', 'text/html', 'application/octet-stream'),
        fc.constantFrom('7bit', 'base64', 'quoted-printable', 'x-unknown'),
        fc.constantFrom('utf-8', 'iso-8859-1', 'x-nonsense'),
        fc.string({ maxLength: 300 }),
      )
      .map(
        ([type, enc, cs, body]) =>
          `Content-Type: ${type}; charset=${cs}\r\nContent-Transfer-Encoding: ${enc}\r\n\r\n${body}`,
      ),
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 20 }).filter((b) => !/[\r\n"]/.test(b)),
        fc.array(tie('part'), { minLength: 1, maxLength: 4 }),
      )
      .map(
        ([boundary, parts]) =>
          `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--`,
      ),
  ),
})).part;

async function parsesOrRefuses(raw: string): Promise<void> {
  const started = performance.now();
  try {
    await parseInbound(Buffer.from(raw, 'utf8'));
  } catch (error) {
    // The only acceptable failure is a refusal with a status the route can answer.
    expect(error).toBeInstanceOf(InboundRejectedError);
  }
  expect(performance.now() - started).toBeLessThan(2_000);
}

describe('fuzzing the inbound path', () => {
  it('never crashes or hangs on arbitrary header/body text', async () => {
    await fc.assert(fc.asyncProperty(message, parsesOrRefuses), { numRuns: 400 });
  });

  it('never crashes or hangs on random MIME trees', async () => {
    await fc.assert(
      fc.asyncProperty(mime, (body) =>
        parsesOrRefuses(`From: a@b.c\r\nTo: reply+x@replies.acme.example\r\n${body}`),
      ),
      { numRuns: 300 },
    );
  });

  it('strips quotes in linear time, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 400 }), (lines) => {
        const started = performance.now();
        const out = stripQuotedText(lines.join('\n'));
        expect(out.split('\n').every((l) => !l.trimStart().startsWith('>'))).toBe(true);
        expect(performance.now() - started).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    const started = performance.now();
    stripQuotedText(`On ${'x'.repeat(999)}\n`.repeat(20_000));
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('fuzzing POST /v1/inbound/mime (pglite)', () => {
  let h: RepliesHarness;
  beforeAll(async () => {
    h = await startRepliesHarness('pglite', { ref: 'fuzz' });
  });
  afterAll(async () => h?.close());

  it('answers 202 or 422, never 5xx, and stays healthy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          message,
          mime.map((b) => `From: a@b.c\r\n${b}`),
        ),
        async (raw) => {
          const response = await h.postMime(raw);
          expect([202, 422]).toContain(response.statusCode);
        },
      ),
      { numRuns: 60 },
    );
    const ok = await h.postMime(
      `From: ${h.sent[0]!.email}\r\nTo: ${h.sent[0]!.replyAddress}\r\nSubject: hi\r\n\r\nstill fine\r\n`,
    );
    expect(ok.json()).toMatchObject({ matched: true });
  });
});
