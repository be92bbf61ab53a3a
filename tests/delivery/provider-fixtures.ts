import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../src/db/client.js';
import { newId } from '../../src/db/ids.js';
import { contacts, messages } from '../../src/db/schema.js';
import { recordOutcomes } from '../../src/delivery/outcomes.js';
import { sendingCommunication } from '../support/rows.js';

export const webhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** A message for an existing contact, queued and then sent under `providerId` by the send path's own outcome statement. */
export async function sentMessageFor(
  db: Db,
  email: string,
  providerId = `re_${randomBytes(6).toString('hex')}`,
) {
  const [contact] = await db.select().from(contacts).where(eq(contacts.email, email));
  if (!contact) throw new Error(`no contact ${email}`);
  const { communicationId } = await sendingCommunication(db);
  const messageId = newId('msg');
  const batchKey = `send-${communicationId}-${messageId}`;
  await db.insert(messages).values({
    id: messageId,
    communicationId,
    contactId: contact.id,
    customerId: contact.customerId,
    email,
    status: 'queued',
    sendBatchKey: batchKey,
    replyTokenHash: randomBytes(16).toString('hex'),
    messageIdHeader: `${messageId}@acme.example`,
  });
  await recordOutcomes(db, { batchKey, attempts: 1, firstAttemptAt: new Date() }, [
    { messageId, ok: true, providerId },
  ]);
  return { messageId, providerId, contactId: contact.id, communicationId };
}

export function resendEvent(type: string, emailId: string, extra: Record<string, unknown> = {}) {
  return {
    type,
    created_at: new Date().toISOString(),
    data: {
      email_id: emailId,
      created_at: new Date().toISOString(),
      from: 'Acme Status <status@acme.example>',
      to: ['someone@example.com'],
      subject: 'Incident',
      ...extra,
    },
  };
}

/** Posts an event signed the way Resend (Svix) signs it. */
export function postSigned(
  app: FastifyInstance,
  secret: string,
  event: unknown,
  options: { id?: string; date?: Date; signature?: string } = {},
) {
  const payload = JSON.stringify(event);
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const date = options.date ?? new Date();
  return app.inject({
    method: 'POST',
    url: '/v1/webhooks/resend',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
      'svix-signature': options.signature ?? new Webhook(secret).sign(id, date, payload),
    },
    payload,
  });
}
