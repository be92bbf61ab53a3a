import { and, eq, isNotNull, type SQL, sql } from 'drizzle-orm';
import { inTextArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { communications, contacts, messages } from '../db/schema.js';

/** Message states in which the apology did not reach (and will not reach) the contact. */
const undelivered = ['failed', 'bounced', 'suppressed', 'needs_review'] as const;

/** A joined message row of the apology about `incidentId` that reached (or will reach) its contact. */
const deliveringApologyOf = (incidentId: string): SQL => sql`${communications.incidentId} = ${incidentId}
  and ${communications.kind} = 'apology'
  and ${messages.status} not in (${sql.join(
    undelivered.map((s) => sql`${s}`),
    sql`, `,
  )})`;

/** What the fan-out knows about the communication it is expanding. */
export interface CoordinatedCommunication {
  incidentId: string;
  kind: string;
  /** Set on automatic notices (planned from an event); null on what staff drafted by hand. */
  eventId: string | null;
}

/**
 * Whether a communication's audience leaves out contacts who got the incident's apology. After a
 * personal letter from the CEO, an automatic "update" about the same incident reads as a form letter and
 * undoes it; so automatic notices skip them, while anything staff wrote by hand (no `eventId`) reaches
 * everyone — that is staff choosing to include them. Apologies themselves are never filtered.
 */
export function skipsApologyRecipients(communication: CoordinatedCommunication): boolean {
  return communication.kind !== 'apology' && communication.eventId !== null;
}

/**
 * SQL condition, true for a contact row (`contacts.id`) that has NOT got (nor is about to get) an apology
 * about `incidentId`, for a fan-out query's WHERE. Served by the `messages_contact_idx` index.
 */
export function notApologyRecipient(
  incidentId: string,
  contactId: SQL | typeof contacts.id = contacts.id,
): SQL {
  return sql`not exists (
    select 1 from ${messages}
    join ${communications} on ${communications.id} = ${messages.communicationId}
    where ${messages.contactId} = ${contactId} and ${deliveringApologyOf(incidentId)}
  )`;
}

/**
 * The contacts among `contactIds` that got (or are getting) the apology about `incidentId`: for a
 * fan-out that filters each page after reading it, one query per page.
 */
export async function apologyRecipientsAmong(
  db: Db,
  incidentId: string,
  contactIds: readonly string[],
): Promise<Set<string>> {
  if (contactIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ contactId: messages.contactId })
    .from(messages)
    .innerJoin(communications, eq(communications.id, messages.communicationId))
    .where(and(deliveringApologyOf(incidentId), inTextArray(messages.contactId, contactIds)));
  return new Set(rows.map((r) => r.contactId));
}

/** Every contact that got the apology about `incidentId` (small: one incident's apology audience). */
export async function contactsWhoReceivedApology(db: Db, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ contactId: messages.contactId })
    .from(messages)
    .innerJoin(communications, eq(communications.id, messages.communicationId))
    .where(
      and(
        eq(communications.incidentId, incidentId),
        eq(communications.kind, 'apology'),
        isNotNull(messages.sentAt),
      ),
    );
  return rows.map((r) => r.contactId);
}

/** Whether the contact has replied to any e-mail about the incident; previews flag them. */
export async function contactHasReplied(db: Db, incidentId: string, contactId: string): Promise<Date | null> {
  const [row] = await db
    .select({ repliedAt: messages.repliedAt })
    .from(messages)
    .innerJoin(communications, eq(communications.id, messages.communicationId))
    .where(
      and(
        eq(communications.incidentId, incidentId),
        eq(messages.contactId, contactId),
        isNotNull(messages.repliedAt),
      ),
    )
    .orderBy(messages.repliedAt)
    .limit(1);
  return row?.repliedAt ?? null;
}
