import { and, eq, sql } from 'drizzle-orm';
import { findSegment } from '../audience/segment-store.js';
import { minutesAffectedByCustomer } from '../communications/apology-facts.js';
import { accountManagerOf } from '../communications/preview.js';
import { inTextArray } from '../db/arrays.js';
import {
  type communications,
  communicationVersions,
  contacts,
  customers,
  messages,
  suppressions,
} from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { type ComposeRecipient, composeEmail } from './compose.js';
import { threadOf } from './threading.js';
import type { OutgoingEmail } from './transports/transport.js';

type Communication = typeof communications.$inferSelect;

/**
 * Everything that decides a batch's bytes besides the template code: the version and, per recipient,
 * the names, locale, variant and thread. Frozen before the first attempt (a few hundred bytes per
 * recipient rather than the rendered e-mails), so a retry renders exactly the same e-mails even if the
 * copy was edited, a contact renamed or another update of the incident was sent meanwhile.
 */
export interface BatchInputs {
  version: number;
  recipients: ComposeRecipient[];
}

/**
 * The inputs of a batch's still-queued messages, and apart from them the ids of those whose contact
 * can no longer be mailed (unsubscribed, removed or suppressed since the fan-out ran).
 */
export async function gatherBatchInputs(
  deps: Pick<AppDeps, 'database'>,
  communication: Communication,
  batch: { batchKey: string; messageIds: string[] },
): Promise<{ inputs: BatchInputs; suppressed: string[] }> {
  const { db } = deps.database;
  const gathered = await db
    .select({
      messageId: messages.id,
      email: messages.email,
      messageIdHeader: messages.messageIdHeader,
      contactId: contacts.id,
      customerId: messages.customerId,
      contactName: contacts.name,
      customerName: customers.name,
      locale: sql<string | null>`coalesce(${contacts.locale}, ${customers.locale})`,
      attributes: customers.attributes,
      suppressed: sql<boolean>`${contacts.unsubscribedAt} is not null or ${contacts.removedAt} is not null
        or exists (select 1 from ${suppressions} where ${suppressions.email} = ${messages.email})`,
    })
    .from(messages)
    .innerJoin(contacts, eq(contacts.id, messages.contactId))
    .innerJoin(customers, eq(customers.id, messages.customerId))
    .where(
      and(
        inTextArray(messages.id, batch.messageIds),
        eq(messages.sendBatchKey, batch.batchKey),
        eq(messages.status, 'queued'),
      ),
    )
    .orderBy(messages.id);
  const rows = gathered.filter((row) => !row.suppressed);
  const segment = await findSegment(db, communication.segment);
  const threads = await threadOf(db, {
    incidentId: communication.incidentId,
    contactIds: rows.map((r) => r.contactId),
    excludeCommunicationId: communication.id,
  });
  const minutes =
    communication.kind === 'apology'
      ? await minutesAffectedByCustomer(
          db,
          communication.incidentId,
          rows.map((r) => r.customerId),
        )
      : undefined;
  return {
    inputs: {
      version: communication.currentVersion,
      recipients: rows.map(({ attributes, customerId, suppressed: _, ...recipient }) => ({
        ...recipient,
        ...(minutes ? { minutesAffected: minutes.get(customerId) ?? 0 } : {}),
        variant: segment?.template ?? null,
        accountManager: accountManagerOf(attributes),
        thread: threads.get(recipient.contactId) ?? [],
      })),
    },
    suppressed: gathered.filter((row) => row.suppressed).map((row) => row.messageId),
  };
}

/** Renders frozen inputs: rendered once per variant and locale, personalised per recipient. */
export async function renderBatch(
  deps: Pick<AppDeps, 'database' | 'config' | 'signingSecret'>,
  communication: Communication,
  inputs: BatchInputs,
): Promise<{ emails: OutgoingEmail[]; version: typeof communicationVersions.$inferSelect }> {
  const [version] = await deps.database.db
    .select()
    .from(communicationVersions)
    .where(
      and(
        eq(communicationVersions.communicationId, communication.id),
        eq(communicationVersions.version, inputs.version),
      ),
    );
  if (!version) throw new Error(`communication ${communication.id} has no version ${inputs.version}`);
  const emails = await Promise.all(
    inputs.recipients.map((recipient) => composeEmail(deps, { communication, version, recipient })),
  );
  return { emails, version };
}
