import { and, eq, inArray, sql } from 'drizzle-orm';
import { getSegment } from '../audience/segment-audience.js';
import { accountManagerOf } from '../communications/preview.js';
import { type communications, communicationVersions, contacts, customers, messages } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { composeEmail } from './compose.js';
import { threadOf } from './threading.js';
import type { OutgoingEmail } from './transports/transport.js';

type Communication = typeof communications.$inferSelect;

/**
 * Composes the e-mails of one batch: the communication's current version rendered once per variant and
 * locale, personalised per recipient, threaded after what each contact already got about the incident.
 */
export async function composeBatch(
  deps: Pick<AppDeps, 'database' | 'config' | 'signingSecret'>,
  communication: Communication,
  messageIds: string[],
): Promise<OutgoingEmail[]> {
  const { db } = deps.database;
  const [version] = await db
    .select()
    .from(communicationVersions)
    .where(
      and(
        eq(communicationVersions.communicationId, communication.id),
        eq(communicationVersions.version, communication.currentVersion),
      ),
    );
  if (!version)
    throw new Error(`communication ${communication.id} has no version ${communication.currentVersion}`);

  const recipients = await db
    .select({
      messageId: messages.id,
      email: messages.email,
      messageIdHeader: messages.messageIdHeader,
      contactId: contacts.id,
      contactName: contacts.name,
      customerName: customers.name,
      locale: sql<string | null>`coalesce(${contacts.locale}, ${customers.locale})`,
      attributes: customers.attributes,
    })
    .from(messages)
    .innerJoin(contacts, eq(contacts.id, messages.contactId))
    .innerJoin(customers, eq(customers.id, messages.customerId))
    .where(inArray(messages.id, messageIds))
    .orderBy(messages.id);

  const segment = await getSegment(db, communication.segment);
  const threads = await threadOf(db, {
    incidentId: communication.incidentId,
    contactIds: recipients.map((r) => r.contactId),
    excludeCommunicationId: communication.id,
  });
  return Promise.all(
    recipients.map(({ attributes, ...recipient }) =>
      composeEmail(deps, {
        communication,
        version,
        recipient: {
          ...recipient,
          variant: segment?.template ?? null,
          accountManager: accountManagerOf(attributes),
          thread: threads.get(recipient.contactId) ?? [],
        },
      }),
    ),
  );
}
