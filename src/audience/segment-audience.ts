import { asc, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import { selectRows } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { contacts, customers, incidents } from '../db/schema.js';
import { badRequest, notFound } from '../http/errors.js';
import { type AffectedContact, excludedContact, type IncidentScope, suppressedAddress } from './affected.js';
import { listSegments, type Segment } from './segment-store.js';
import { compileRule, usesAffected } from './segments.js';

export {
  ensureDefaultSegments,
  listSegments,
  type Segment,
} from './segment-store.js';

/**
 * The key of the first segment (in the given, priority, order) whose rule the contact row matches, or
 * NULL: one CASE evaluated per row by the database, so "at most one segment per contact" holds by
 * construction and no customer is ever looked at in JS. Rules compile to never-NULL conditions, so a
 * WHEN that cannot decide never swallows a contact meant for a later segment.
 */
export function segmentOf(ordered: readonly Segment[], scope: IncidentScope | undefined): SQL {
  if (ordered.length === 0) return sql`null::text`;
  const whens = ordered.map((s) => sql`when ${compileRule(s.rule, scope)} then ${s.key}`);
  return sql`(case ${sql.join(whens, sql` `)} end)`;
}

/** Segments up to and including `key`: later ones cannot change whether a contact lands in it. */
export function segmentsThrough(ordered: readonly Segment[], key: string): Segment[] | undefined {
  const index = ordered.findIndex((s) => s.key === key);
  return index < 0 ? undefined : ordered.slice(0, index + 1);
}

/** Options of {@link segmentContactsPage}. */
export interface SegmentPageOptions {
  /** The incident's regions and components; `affected` rules are evaluated against them. */
  scope: IncidentScope;
  /** Only contacts whose first matching segment is this one. */
  segmentKey: string;
  /** Keyset cursor: the last `contactId` of the previous page. */
  afterContactId?: string | undefined;
  /** Page size. */
  limit: number;
  /**
   * The segments in match order, when the caller listed them already: a fan-out reads them once for all
   * its pages, which also keeps one rule set for the whole walk if someone edits a segment meanwhile.
   */
  segments?: readonly Segment[];
}

interface PageRow {
  contact_id: string;
  email: string;
  name: string | null;
  role: string | null;
  locale: string | null;
  customer_id: string;
  customer_ref: string;
  customer_name: string;
  tier: string;
}

const toAffectedContact = (r: PageRow): AffectedContact => ({
  contactId: r.contact_id,
  email: r.email,
  name: r.name,
  role: r.role,
  locale: r.locale,
  customerId: r.customer_id,
  customerRef: r.customer_ref,
  customerName: r.customer_name,
  tier: r.tier,
});

/**
 * First window scanned per page, as a multiple of the page size; doubled while a segment is sparse. A
 * window larger than needed costs little: the ordered scan stops once the page is full.
 */
const WINDOW_FACTOR = 5;
const MAX_WINDOW = 100_000;

/**
 * One keyset page (contact id order) of the contacts to mail in one segment for an incident, leaving out
 * removed, unsubscribed and suppressed contacts in SQL, so a fan-out holds one page at a time. An unknown
 * segment (deleted since the communication was planned) has no contacts. A page is short only at the end.
 *
 * Contacts are read in id windows (a bounded index range scan, joined to customers by primary key) rather
 * than with one `... order by id limit n` over the join: the planner cannot estimate how many contacts a
 * rule matches, and on a guess of "few" it joins every matching customer and sorts them for every page,
 * which made paging a 100,000-customer audience quadratic. Windows keep the whole walk linear.
 */
export async function segmentContactsPage(db: Db, options: SegmentPageOptions): Promise<AffectedContact[]> {
  const through = segmentsThrough(options.segments ?? (await listSegments(db)), options.segmentKey);
  if (!through) return [];
  const membership = sql`${segmentOf(through, options.scope)} = ${options.segmentKey}`;
  const found: AffectedContact[] = [];
  let after = options.afterContactId;
  let window = Math.min(options.limit * WINDOW_FACTOR, MAX_WINDOW);
  for (;;) {
    const need = options.limit - found.length;
    const afterCursor = after === undefined ? sql`true` : sql`${contacts.id} > ${after}`;
    const windowIds = sql`(select ${contacts.id} from ${contacts} where ${afterCursor} order by ${contacts.id} limit ${window}) as window_ids`;
    // The cursor is repeated outside the window so the join to contacts starts at it instead of scanning
    // the index from its beginning. `offset 0` keeps the customer lookup a per-contact primary-key probe: without that fence the planner
    // flattens it and, misjudging the rule's selectivity, hashes every matching customer for each page.
    const page = await selectRows<PageRow>(
      db,
      sql`
      select ${contacts.id} as contact_id, ${contacts.email} as email, ${contacts.name} as name,
        ${contacts.role} as role, coalesce(${contacts.locale}, ${customers.locale}) as locale,
        ${customers.id} as customer_id, ${customers.ref} as customer_ref, ${customers.name} as customer_name,
        ${customers.tier} as tier
      from ${windowIds}
      join ${contacts} on ${contacts.id} = window_ids.id
      cross join lateral (select * from ${customers} where ${customers.id} = ${contacts.customerId} offset 0) as customers
      where ${afterCursor} and ${contacts.removedAt} is null and ${contacts.unsubscribedAt} is null
        and not ${suppressedAddress}
        and ${membership}
      order by ${contacts.id} limit ${need}`,
    );
    const rows = page.map(toAffectedContact);
    found.push(...rows);
    if (rows.length === need) return found;
    // The window is used up: continue after its last contact, if there is one.
    const [end] = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(after === undefined ? undefined : gt(contacts.id, after))
      .orderBy(asc(contacts.id))
      .offset(window - 1)
      .limit(1);
    if (!end) return found;
    after = end.id;
    window = Math.min(window * 2, MAX_WINDOW);
  }
}

export interface SegmentCount {
  segment: string;
  name: string;
  /** Customers with at least one listed contact in the segment. */
  customers: number;
  /** Contacts that would get the segment's e-mail. */
  recipients: number;
  /** Contacts in the segment left out because they unsubscribed or their address is suppressed. */
  suppressed: number;
  /** Whether the segment's send policy mails it automatically (`send_policy.notify`, default true). */
  notify: boolean;
}

/**
 * Per-segment audience of an incident, every segment in priority order (zeros included), from one
 * grouped query over all listed contacts.
 */
export async function segmentCounts(
  db: Db,
  scope: IncidentScope,
  listed?: readonly Segment[],
): Promise<SegmentCount[]> {
  const ordered = listed ?? (await listSegments(db));
  if (ordered.length === 0) return [];
  const perContact = db
    .select({
      segment: sql<string | null>`${segmentOf(ordered, scope)}`.as('segment'),
      customerId: sql<string>`${contacts.customerId}`.as('customer_id'),
      excluded: sql<boolean>`${excludedContact}`.as('excluded'),
    })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(isNull(contacts.removedAt))
    .as('per_contact');
  const rows = await db
    .select({
      segment: perContact.segment,
      customers: sql<number>`count(distinct ${perContact.customerId})::int`,
      recipients: sql<number>`(count(*) filter (where not ${perContact.excluded}))::int`,
      suppressed: sql<number>`(count(*) filter (where ${perContact.excluded}))::int`,
    })
    .from(perContact)
    .where(sql`${perContact.segment} is not null`)
    .groupBy(perContact.segment);
  const bySegment = new Map(rows.map((r) => [r.segment, r]));
  return ordered.map((s) => {
    const row = bySegment.get(s.key);
    const policy = s.sendPolicy as { notify?: unknown } | null;
    return {
      segment: s.key,
      name: s.name,
      customers: Number(row?.customers ?? 0),
      recipients: Number(row?.recipients ?? 0),
      suppressed: Number(row?.suppressed ?? 0),
      notify: policy?.notify !== false,
    };
  });
}

/**
 * Condition on `customers` for `GET /v1/customers?segment=`: customers with a listed contact whose first
 * matching segment is `segment`. `affected` only means something for an incident, so when a rule that
 * decides membership uses it and no incident is given, that is a 400 naming `incident_id`.
 */
export async function customersInSegmentWhere(
  db: Db,
  segment: string,
  scope: IncidentScope | undefined,
): Promise<SQL> {
  const through = segmentsThrough(await listSegments(db), segment);
  if (!through)
    throw badRequest('Unknown segment.', [{ path: 'query.segment', message: `no segment "${segment}"` }]);
  if (!scope && through.some((s) => usesAffected(s.rule)))
    throw badRequest('This segment depends on an incident.', [
      {
        path: 'query.incident_id',
        message: `required: segment "${segment}" (or one before it) uses "affected", which needs an incident`,
      },
    ]);
  return sql`exists (select 1 from ${contacts} where ${contacts.customerId} = ${customers.id} and ${contacts.removedAt} is null and ${segmentOf(through, scope)} = ${segment})`;
}

/**
 * An incident's regions and components. Read here, not through the incidents module, because only
 * these two columns matter to the audience and the incidents module does not export a reader for them.
 */
export async function incidentScope(db: Db, incidentId: string): Promise<IncidentScope> {
  const [row] = await db
    .select({ regions: incidents.regions, components: incidents.components })
    .from(incidents)
    .where(eq(incidents.id, incidentId));
  if (!row) throw notFound('Incident', incidentId);
  return row;
}
