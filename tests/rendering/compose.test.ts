import { describe, expect, it } from 'vitest';
import { type ComposeInput, composeEmail } from '../../src/delivery/compose.js';
import { noticeVersion, sendingNotice } from '../support/compose-inputs.js';
import { testConfig } from '../support/deps.js';

const config = testConfig();
const deps = { config, signingSecret: Buffer.from('s'.repeat(32)) };

const communication = sendingNotice();
const version = noticeVersion();
const recipient: ComposeInput['recipient'] = {
  messageId: 'msg_3',
  email: 'dana@globex.example',
  messageIdHeader: 'msg_3@acme.example',
  contactId: 'con_1',
  contactName: 'Dana',
  customerName: 'Globex',
};

describe('composeEmail', () => {
  it('threads later e-mails under the first one with a stable subject', async () => {
    const email = await composeEmail(deps, {
      communication,
      version,
      recipient: { ...recipient, thread: ['msg_1@acme.example', '<msg_2@acme.example>'] },
    });
    expect(email.headers).toMatchObject({
      'Message-ID': '<msg_3@acme.example>',
      'In-Reply-To': '<msg_1@acme.example>',
      References: '<msg_1@acme.example> <msg_2@acme.example>',
    });
    expect(email.subject).toBe('Acme incident: Errors loading the help desk');
  });

  it('starts a new conversation for the first e-mail and for an executive letter', async () => {
    const first = await composeEmail(deps, { communication, version, recipient });
    expect(first.headers['In-Reply-To']).toBeUndefined();
    const letter = await composeEmail(deps, {
      communication: { ...communication, kind: 'apology' },
      version: {
        ...version,
        template: 'executive-apology',
        subject: 'About the outages',
        props: { body: 'I am sorry.', sender: { name: 'Jordan Lee', title: 'CEO' }, companyName: 'Acme' },
      },
      recipient: { ...recipient, thread: ['msg_1@acme.example'] },
    });
    expect(letter.headers.References).toBeUndefined();
    expect(letter.subject).toBe('About the outages');
  });

  it('writes in the recipient’s language and segment variant', async () => {
    const email = await composeEmail(deps, {
      communication,
      version,
      recipient: { ...recipient, locale: 'de-DE', variant: 'affected-enterprise', accountManager: 'Sam' },
    });
    expect(email.subject).toBe('Acme Störung: Errors loading the help desk');
    expect(email.text).toContain('Hallo Dana,');
    expect(email.text).toContain('Sam, Ihre persönliche Ansprechperson');
  });
});
