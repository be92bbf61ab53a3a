import { and, eq, sql } from 'drizzle-orm';
import { minutesAffectedByCustomer } from '../communications/apology-facts.js';
import { accountManagerOf } from '../communications/preview.js';
import { inTextArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { preparedStatement } from '../db/prepared.js';
import {
  communications,
  communicationVersions,
  contacts,
  customers,
  messages,
  segments,
  sendBatches,
  suppressions,
} from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { BoundedCache } from '../lib/bounded-cache.js';
import { type ComposeRecipient, composeEmail } from './compose.js';
import { threadedCommunicationIds, threadOf } from './threading.js';
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

/** What a send job reads before anything else, in one statement. */
export interface SendContext {
  communication: Communication;
  /** The batch as frozen by an earlier attempt, if any. */
  batch: typeof sendBatches.$inferSelect | null;
  /** The communication's segment's `template` (its copy variant). */
  variant: string | null;
  /** The incident's other communications that are not apologies: the e-mails a new one threads under. */
  earlierCommunicationIds: string[];
}

/**
 * The communication, its frozen batch and what gathering a batch needs, in one round trip: a send
 * job runs ~45 times a second at full speed, and each statement costs the worker a socket write.
 */
export async function loadSendContext(
  db: Db,
  input: { communicationId: string; batchKey: string },
): Promise<SendContext | undefined> {
  const [row] = await sendContextStatement(db).execute(input);
  return row;
}

const sendContextStatement = preparedStatement((db) =>
  db
    .select({
      communication: communications,
      batch: sendBatches,
      variant: sql<
        string | null
      >`(select ${segments.template} from ${segments} where ${segments.key} = ${communications.segment})`,
      earlierCommunicationIds: threadedCommunicationIds(communications.incidentId, communications.id),
    })
    .from(communications)
    .leftJoin(sendBatches, eq(sendBatches.key, sql.placeholder('batchKey')))
    .where(eq(communications.id, sql.placeholder('communicationId'))),
);

/**
 * The inputs of a batch's still-queued messages, and apart from them the ids of those whose contact
 * can no longer be mailed (unsubscribed, removed or suppressed since the fan-out ran).
 */
export async function gatherBatchInputs(
  deps: Pick<AppDeps, 'database'>,
  context: SendContext,
  batch: { batchKey: string; messageIds: string[] },
): Promise<{ inputs: BatchInputs; suppressed: string[] }> {
  const { communication } = context;
  const { db } = deps.database;
  const gathered = await gatherStatement(db).execute({
    messageIds: batch.messageIds,
    batchKey: batch.batchKey,
  });
  const rows = gathered.filter((row) => !row.suppressed);
  const threads = await threadOf(db, {
    incidentId: communication.incidentId,
    contactIds: rows.map((r) => r.contactId),
    earlierCommunicationIds: context.earlierCommunicationIds,
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
        variant: context.variant,
        accountManager: accountManagerOf(attributes),
        thread: threads.get(recipient.contactId) ?? [],
      })),
    },
    suppressed: gathered.filter((row) => row.suppressed).map((row) => row.messageId),
  };
}

const gatherStatement = preparedStatement((db) =>
  db
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
        inTextArray(messages.id, sql.placeholder('messageIds')),
        eq(messages.sendBatchKey, sql.placeholder('batchKey')),
        eq(messages.status, 'queued'),
      ),
    )
    .orderBy(messages.id),
);

/** Renders frozen inputs: rendered once per variant and locale, personalised per recipient. */
export async function renderBatch(
  deps: Pick<AppDeps, 'database' | 'config' | 'signingSecret'>,
  communication: Communication,
  inputs: BatchInputs,
): Promise<{ emails: OutgoingEmail[]; version: typeof communicationVersions.$inferSelect }> {
  const version = await findVersion(deps.database.db, communication.id, inputs.version);
  const emails = await Promise.all(
    inputs.recipients.map((recipient) => composeEmail(deps, { communication, version, recipient })),
  );
  return { emails, version };
}

type Version = typeof communicationVersions.$inferSelect;

/** Versions never change once written (an edit is a new version), so every batch of a send can share one read. */
const versions = new BoundedCache<string, Version>(256);

async function findVersion(db: Db, communicationId: string, number: number): Promise<Version> {
  const key = `${communicationId}/${number}`;
  const known = versions.get(key);
  if (known) return known;
  const [version] = await db
    .select()
    .from(communicationVersions)
    .where(
      and(
        eq(communicationVersions.communicationId, communicationId),
        eq(communicationVersions.version, number),
      ),
    );
  if (!version) throw new Error(`communication ${communicationId} has no version ${number}`);
  versions.set(key, version);
  return version;
}
