import { and, asc, eq, isNull } from 'drizzle-orm';
import { affectedContactsPage } from '../audience/affected.js';
import { domainOf } from '../config.js';
import {
  type communications,
  type communicationVersions,
  contacts,
  customers,
  incidents,
  messages,
  segments,
} from '../db/schema.js';
import { type ComposeRecipient, composeEmail } from '../delivery/compose.js';
import { threadOf } from '../delivery/threading.js';
import type { OutgoingEmail } from '../delivery/transports/transport.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../http/errors.js';
import { resolveVariant } from '../rendering/render.js';
import { minutesAffectedByCustomer } from './apology-facts.js';
import { contactHasReplied } from './coordination.js';
import { communicationWithVersion } from './queries.js';
import { editedContent } from './versions.js';

export interface PreviewQuery {
  /** Preview as this contact (e-mail address); default: a representative recipient. */
  contact?: string | undefined;
  /** Preview with this segment's variant; default: the communication's own segment. */
  segment?: string | undefined;
  /** Unsaved edits to show instead of the current version's subject and body (the editor's live preview). */
  draft?: { subject?: string | undefined; body?: string | undefined } | undefined;
}

export interface PreviewResult {
  email: OutgoingEmail;
  /** No message row exists for this recipient yet, so the Message-ID and reply token are stand-ins. */
  placeholderMessageId: boolean;
  /** No real contact was available; a made-up sample recipient was used. */
  sample: boolean;
  contact: { id: string; email: string; name: string | null; customer: string };
  locale: string | null;
  variant: string;
  segment: string;
  /** When this contact first replied to an e-mail about the incident; null if never (or a sample). */
  repliedAt: Date | null;
  /** The version rendered, with any draft edits applied (what lint should read). */
  version: typeof communicationVersions.$inferSelect;
  kind: (typeof communications.$inferSelect)['kind'];
}

interface Candidate {
  contactId: string;
  /** Null for the made-up sample recipient. */
  customerId: string | null;
  email: string;
  name: string | null;
  locale: string | null;
  customerName: string;
  attributes: Record<string, unknown>;
}

const candidateColumns = {
  contactId: contacts.id,
  customerId: customers.id,
  email: contacts.email,
  name: contacts.name,
  contactLocale: contacts.locale,
  customerLocale: customers.locale,
  customerName: customers.name,
  attributes: customers.attributes,
};

type CandidateRow = {
  contactId: string;
  customerId: string;
  email: string;
  name: string | null;
  contactLocale: string | null;
  customerLocale: string | null;
  customerName: string;
  attributes: Record<string, unknown>;
};

const toCandidate = (r: CandidateRow): Candidate => ({
  contactId: r.contactId,
  customerId: r.customerId,
  email: r.email,
  name: r.name,
  locale: r.contactLocale ?? r.customerLocale,
  customerName: r.customerName,
  attributes: r.attributes,
});

/** Where the enterprise variant finds the account's contact person. */
export function accountManagerOf(attributes: Record<string, unknown>): string | null {
  const value = attributes.account_manager ?? attributes.accountManager;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
    return (value as { name: string }).name;
  }
  return null;
}

const SAMPLE: Candidate = {
  contactId: 'con_sample',
  customerId: null,
  email: 'alex@example.com',
  name: 'Alex Example',
  locale: null,
  customerName: 'Example Customer',
  attributes: {},
};

/**
 * What one recipient of a communication would get, composed by the same code path as sending. The
 * recipient is the named contact, else the first who already has a message row, else the first
 * contact the incident affects, else a made-up sample (flagged).
 */
export async function previewCommunication(
  deps: Pick<AppDeps, 'database' | 'config' | 'signingSecret'>,
  id: string,
  query: PreviewQuery,
): Promise<PreviewResult> {
  const { db } = deps.database;
  const row = await communicationWithVersion(db, id);
  if (!row) throw notFound('Communication', id);
  const { communication } = row;
  const version = withDraft(row.version, query.draft);

  const segmentKey = query.segment ?? communication.segment;
  const [segment] = await db.select().from(segments).where(eq(segments.key, segmentKey));
  const knownVariant = resolveVariant(segmentKey) === segmentKey;
  if (query.segment && !segment && !knownVariant) throw notFound('Segment', query.segment);
  const variant = resolveVariant(segment?.template ?? segmentKey);

  let candidate: Candidate | undefined;
  let sample = false;
  if (query.contact) {
    const rows = await db
      .select({ ...candidateColumns, messageId: messages.id })
      .from(contacts)
      .innerJoin(customers, eq(customers.id, contacts.customerId))
      .leftJoin(
        messages,
        and(eq(messages.contactId, contacts.id), eq(messages.communicationId, communication.id)),
      )
      .where(and(eq(contacts.email, query.contact.trim().toLowerCase()), isNull(contacts.removedAt)))
      .orderBy(asc(contacts.id));
    const row = rows.find((r) => r.messageId) ?? rows[0];
    if (!row) throw notFound('Contact', query.contact);
    candidate = toCandidate(row);
  } else {
    const [row] = await db
      .select(candidateColumns)
      .from(messages)
      .innerJoin(contacts, eq(contacts.id, messages.contactId))
      .innerJoin(customers, eq(customers.id, messages.customerId))
      .where(eq(messages.communicationId, communication.id))
      .orderBy(asc(messages.id))
      .limit(1);
    candidate = row ? toCandidate(row) : await firstAffected(deps, communication.incidentId);
  }
  if (!candidate) {
    candidate = SAMPLE;
    sample = true;
  }

  const [message] = sample
    ? []
    : await db
        .select({ id: messages.id, header: messages.messageIdHeader })
        .from(messages)
        .where(
          and(eq(messages.communicationId, communication.id), eq(messages.contactId, candidate.contactId)),
        );
  const thread = sample
    ? []
    : ((
        await threadOf(db, {
          incidentId: communication.incidentId,
          contactIds: [candidate.contactId],
          excludeCommunicationId: communication.id,
        })
      ).get(candidate.contactId) ?? []);
  const recipient: ComposeRecipient = {
    messageId: message?.id ?? `preview_${communication.id}`,
    messageIdHeader: message?.header ?? `preview.${communication.id}@${domainOf(communication.from)}`,
    email: candidate.email,
    contactId: candidate.contactId,
    contactName: candidate.name,
    customerName: candidate.customerName,
    locale: candidate.locale,
    variant,
    accountManager: accountManagerOf(candidate.attributes),
    thread,
    ...(communication.kind === 'apology'
      ? {
          minutesAffected: candidate.customerId
            ? ((await minutesAffectedByCustomer(db, communication.incidentId, [candidate.customerId])).get(
                candidate.customerId,
              ) ?? 0)
            : 0,
        }
      : {}),
  };
  const email = await composeEmail(deps, { communication, version, recipient });
  const repliedAt = sample
    ? null
    : await contactHasReplied(db, communication.incidentId, candidate.contactId);
  return {
    email,
    placeholderMessageId: !message,
    sample,
    contact: {
      id: candidate.contactId,
      email: candidate.email,
      name: candidate.name,
      customer: candidate.customerName,
    },
    locale: candidate.locale,
    variant,
    segment: segmentKey,
    repliedAt,
    version,
    kind: communication.kind,
  };
}

type VersionRow = typeof communicationVersions.$inferSelect;

/**
 * The current version with unsaved edits applied the way `editCommunication` stores them (the body also
 * goes into props, where templates read it), so the live preview shows what saving would produce.
 */
export function withDraft(version: VersionRow, draft: PreviewQuery['draft']): VersionRow {
  if (!draft || (draft.subject === undefined && draft.body === undefined)) return version;
  return { ...version, ...editedContent(version, draft) };
}

async function firstAffected(
  deps: Pick<AppDeps, 'database'>,
  incidentId: string,
): Promise<Candidate | undefined> {
  const { db } = deps.database;
  const [incident] = await db.select().from(incidents).where(eq(incidents.id, incidentId));
  if (!incident) return undefined;
  const [first] = await affectedContactsPage(db, {
    regions: incident.regions,
    components: incident.components,
    limit: 1,
  });
  if (!first) return undefined;
  const [customer] = await db.select().from(customers).where(eq(customers.id, first.customerId));
  return {
    contactId: first.contactId,
    customerId: first.customerId,
    email: first.email,
    name: first.name,
    locale: first.locale,
    customerName: first.customerName,
    attributes: customer?.attributes ?? {},
  };
}
