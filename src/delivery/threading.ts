import { and, asc, type Column, isNotNull, type SQL, sql } from 'drizzle-orm';
import { inTextArray, selectRows } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { preparedStatement } from '../db/prepared.js';
import { communications, messages } from '../db/schema.js';

export interface ThreadQuery {
  incidentId: string;
  contactIds: readonly string[];
  /** Leave out this communication's own messages (a retry must not reference itself). */
  excludeCommunicationId?: string;
  /** Only messages sent before this moment (previews of older communications). */
  before?: Date;
  /** `threadedCommunicationIds` of the incident, when the caller has read them already. */
  earlierCommunicationIds?: readonly string[];
}

/**
 * The incident's communications whose e-mails a new one threads under, as an SQL `text[]`: all but
 * apologies (an executive's letter starts its own conversation) and `except`. Either argument may be a
 * value or a column of an enclosing query.
 */
export const threadedCommunicationIds = (
  incidentId: string | Column,
  except?: string | Column,
): SQL<string[]> =>
  sql<string[]>`array(select t.id from ${communications} t
    where t.incident_id = ${incidentId} and t.kind <> 'apology'${except === undefined ? sql`` : sql` and t.id <> ${except}`})`;

/**
 * Message-IDs (`message_id_header`, no angle brackets) of e-mails already sent about one incident to
 * each contact, oldest first: what `compose` needs for `In-Reply-To`/`References`. Apologies are left
 * out: a personal letter from an executive starts its own conversation.
 *
 * Two statements on purpose: the incident's earlier communications first (a handful, and none for the
 * first notice), then their messages through the `(communication_id, contact_id)` key. Written as one
 * join, PostgreSQL scanned the messages table while a large send was writing it — 7 ms a batch, the
 * costliest statement of a send.
 */
export async function threadOf(db: Db, query: ThreadQuery): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (query.contactIds.length === 0) return result;
  const earlier =
    query.earlierCommunicationIds ??
    (
      await selectRows<{ ids: string[] }>(
        db,
        sql`select ${threadedCommunicationIds(query.incidentId, query.excludeCommunicationId)} as ids`,
      )
    )[0]!.ids;
  if (earlier.length === 0) return result;
  const rows = await threadStatement(db).execute({ earlier, contactIds: query.contactIds });
  for (const row of rows) {
    if (query.before && row.sentAt && row.sentAt >= query.before) continue;
    const list = result.get(row.contactId) ?? [];
    list.push(row.header);
    result.set(row.contactId, list);
  }
  return result;
}

const threadStatement = preparedStatement((db) =>
  db
    .select({ contactId: messages.contactId, header: messages.messageIdHeader, sentAt: messages.sentAt })
    .from(messages)
    .where(
      and(
        inTextArray(messages.communicationId, sql.placeholder('earlier')),
        inTextArray(messages.contactId, sql.placeholder('contactIds')),
        isNotNull(messages.sentAt),
      ),
    )
    .orderBy(asc(messages.sentAt), asc(messages.id)),
);
