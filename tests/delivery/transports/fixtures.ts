import { randomBytes } from 'node:crypto';
import type { Db } from '../../../src/db/client.js';
import { newId } from '../../../src/db/ids.js';
import { contacts, customers, messages } from '../../../src/db/schema.js';
import type { OutgoingEmail } from '../../../src/delivery/transports/transport.js';
import { sendingCommunication } from '../../support/rows.js';

/** Message rows for `count` recipients (outbox rows reference them), and matching outgoing e-mails. */
export async function seedMessages(db: Db, count: number): Promise<OutgoingEmail[]> {
  const customerId = newId('cus');
  await db.insert(customers).values({ id: customerId, ref: customerId, name: 'Globex', tier: 'enterprise' });
  const { communicationId } = await sendingCommunication(db);
  const emails: OutgoingEmail[] = [];
  for (let i = 0; i < count; i++) {
    const contactId = newId('ct');
    const email = `person${i}@globex.example`;
    await db.insert(contacts).values({ id: contactId, customerId, email, name: `Person ${i}` });
    const messageId = newId('msg');
    await db.insert(messages).values({
      id: messageId,
      communicationId,
      contactId,
      customerId,
      email,
      replyTokenHash: randomBytes(16).toString('hex'),
      messageIdHeader: `${messageId}@acme.example`,
    });
    emails.push(outgoing(messageId, email, i));
  }
  return emails;
}

export function outgoing(messageId: string, to: string, i = 0): OutgoingEmail {
  return {
    messageId,
    from: '"Acme Status" <status@acme.example>',
    to,
    replyTo: `"Dana Smith, CEO" <reply+tok${i}@replies.acme.example>`,
    subject: 'Incident: Errors loading the help desk — Zoë’s team',
    html: `<p>Hello Person ${i},</p><p>Some customers in the US see errors.</p>`,
    text: `Hello Person ${i},\n\nSome customers in the US see errors.\n`,
    headers: {
      'Message-ID': `<${messageId}@acme.example>`,
      'In-Reply-To': '<first@acme.example>',
      References: '<first@acme.example>',
      'List-Unsubscribe': '<https://candor.example/u/abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    tags: [
      { name: 'communication', value: 'com_01abc' },
      { name: 'message', value: messageId },
    ],
  };
}
