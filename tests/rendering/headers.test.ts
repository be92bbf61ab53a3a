import addressparser from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import {
  assertHeaderSafe,
  formatMailbox,
  formatMessageId,
  HeaderValueError,
  replyAddress,
  threadingHeaders,
} from '../../src/rendering/headers.js';

describe('assertHeaderSafe', () => {
  it('passes ordinary values through', () => {
    expect(assertHeaderSafe('Incident: Errors — naïve ünïcode\tok')).toBe(
      'Incident: Errors — naïve ünïcode\tok',
    );
  });

  it.each(['a\r\nBcc: x@evil.example', 'a\nb', 'a\rb', 'a\u0000b'])('rejects %j', (value) => {
    expect(() => assertHeaderSafe(value)).toThrow(HeaderValueError);
  });
});

describe('formatMessageId', () => {
  it('wraps id and domain in angle brackets', () => {
    expect(formatMessageId('msg_01abc.1', 'acme.example')).toBe('<msg_01abc.1@acme.example>');
  });

  it.each([
    ['a b', 'acme.example'],
    ['a>b', 'acme.example'],
    ['a\r\nb', 'acme.example'],
    ['ok', 'bad domain'],
    ['ok', 'acme.example>'],
    ['', 'acme.example'],
  ])('rejects %j @ %j', (id, domain) => {
    expect(() => formatMessageId(id, domain)).toThrow(HeaderValueError);
  });
});

describe('replyAddress', () => {
  it('keeps the sender name and puts the token after a plus', () => {
    expect(
      replyAddress({ senderName: 'Dana Smith', token: 'abc234', replyDomain: 'replies.acme.example' }),
    ).toBe('"Dana Smith" <reply+abc234@replies.acme.example>');
  });

  it('quotes names with commas, quotes and backslashes so they parse back as one mailbox', () => {
    const address = replyAddress({
      senderName: 'Smith, Dana "D" \\ CEO',
      token: 'tok',
      replyDomain: 'replies.acme.example',
      localPart: 'ceo',
    });
    expect(address).toBe('"Smith, Dana \\"D\\" \\\\ CEO" <ceo+tok@replies.acme.example>');
    expect(addressparser(address)).toEqual([
      { name: 'Smith, Dana "D" \\ CEO', address: 'ceo+tok@replies.acme.example' },
    ]);
  });

  it('round-trips non-ASCII names', () => {
    const address = replyAddress({ senderName: 'Zoë Ålund', token: 'tok', replyDomain: 'r.example' });
    expect(addressparser(address)).toEqual([{ name: 'Zoë Ålund', address: 'reply+tok@r.example' }]);
  });

  it('rejects CR/LF in the name and unsafe tokens, local parts and domains', () => {
    const base = { senderName: 'Dana', token: 'tok', replyDomain: 'r.example' };
    expect(() => replyAddress({ ...base, senderName: 'Dana\r\nBcc: x@evil.example' })).toThrow(
      HeaderValueError,
    );
    expect(() => replyAddress({ ...base, token: 'a@b' })).toThrow(HeaderValueError);
    expect(() => replyAddress({ ...base, token: '' })).toThrow(HeaderValueError);
    expect(() => replyAddress({ ...base, localPart: 'a+b' })).toThrow(HeaderValueError);
    expect(() => replyAddress({ ...base, replyDomain: 'r.example>\r\nX: y' })).toThrow(HeaderValueError);
  });

  it('falls back to the bare address without a name', () => {
    expect(replyAddress({ senderName: ' ', token: 't', replyDomain: 'r.example' })).toBe('reply+t@r.example');
  });
});

describe('formatMailbox', () => {
  it('quotes the name and validates the address', () => {
    expect(formatMailbox('Acme Status', 'status@acme.example')).toBe('"Acme Status" <status@acme.example>');
    expect(() => formatMailbox('x', 'not an address')).toThrow(HeaderValueError);
  });
});

describe('threadingHeaders', () => {
  it('sets only Message-ID for the first message of a thread', () => {
    expect(threadingHeaders('<a@x.example>', [])).toEqual({ 'Message-ID': '<a@x.example>' });
  });

  it('answers the first message and references the whole thread', () => {
    expect(threadingHeaders('<c@x.example>', ['<a@x.example>', '<b@x.example>'])).toEqual({
      'Message-ID': '<c@x.example>',
      'In-Reply-To': '<a@x.example>',
      References: '<a@x.example> <b@x.example>',
    });
  });

  it('keeps the first and the latest 19 of a long thread', () => {
    const thread = Array.from({ length: 30 }, (_, i) => `<m${i}@x.example>`);
    const refs = threadingHeaders('<new@x.example>', thread).References!.split(' ');
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('<m0@x.example>');
    expect(refs.at(-1)).toBe('<m29@x.example>');
  });
});
