import { and, arrayOverlaps, asc, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { contacts, customers, suppressions } from '../db/schema.js';

/** What an incident touches. An empty list means the incident is not narrowed along that axis. */
export interface IncidentScope {
  regions: readonly string[];
  components: readonly string[];
}

export interface AffectedContact {
  contactId: string;
  email: string;
  name: string | null;
  role: string | null;
  /** The contact's own locale, else the customer's; null when neither is known. */
  locale: string | null;
  customerId: string;
  customerRef: string;
  customerName: string;
  tier: string;
}

/**
 * A customer is affected when it shares at least one region and at least one component with the incident
 * (`&&` on the GIN-indexed arrays). An incident that names no regions (a Statuspage incident has none)
 * is taken to span all regions, and likewise for components; naming neither reaches every customer.
 */
export function affectedCustomerWhere(scope: IncidentScope): SQL | undefined {
  return and(
    scope.regions.length > 0 ? arrayOverlaps(customers.regions, [...scope.regions]) : undefined,
    scope.components.length > 0 ? arrayOverlaps(customers.components, [...scope.components]) : undefined,
  );
}

/** The contact row's address is on the suppression list (bounced, complained, suppressed by hand). */
export const suppressedAddress = sql`exists (select 1 from ${suppressions} where ${suppressions.email} = ${contacts.email})`;

/** What keeps a listed contact from being mailed: it unsubscribed, or its address is suppressed. */
export const excludedContact = sql`(${contacts.unsubscribedAt} is not null or ${suppressedAddress})`;

/**
 * One keyset page of the contacts to mail about an incident, in contact id order: removed and unsubscribed
 * contacts and suppressed addresses are left out here, in SQL, so the fan-out never holds more than a page.
 */
export async function affectedContactsPage(
  db: Db,
  options: IncidentScope & { afterContactId?: string | undefined; limit: number },
): Promise<AffectedContact[]> {
  return db
    .select({
      contactId: contacts.id,
      email: contacts.email,
      name: contacts.name,
      role: contacts.role,
      locale: sql<string | null>`coalesce(${contacts.locale}, ${customers.locale})`,
      customerId: customers.id,
      customerRef: customers.ref,
      customerName: customers.name,
      tier: customers.tier,
    })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(
      and(
        affectedCustomerWhere(options),
        isNull(contacts.removedAt),
        isNull(contacts.unsubscribedAt),
        sql`not ${suppressedAddress}`,
        options.afterContactId === undefined ? undefined : gt(contacts.id, options.afterContactId),
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(options.limit);
}

export interface AudienceCount {
  /** Affected customers, whether or not any of their contacts can be mailed. */
  customers: number;
  /** Contacts that would get the e-mail. */
  recipients: number;
  /** Contacts of affected customers left out: unsubscribed or on the suppression list. */
  suppressed: number;
}

/** The size of an incident's audience, counted in one query. */
export async function countAffected(db: Db, scope: IncidentScope): Promise<AudienceCount> {
  const excluded = sql`(${contacts.unsubscribedAt} is not null or ${suppressions.email} is not null)`;
  const [row] = await db
    .select({
      customers: sql<number>`count(distinct ${customers.id})::int`,
      recipients: sql<number>`(count(${contacts.id}) filter (where not ${excluded}))::int`,
      suppressed: sql<number>`(count(${contacts.id}) filter (where ${excluded}))::int`,
    })
    .from(customers)
    .leftJoin(contacts, and(eq(contacts.customerId, customers.id), isNull(contacts.removedAt)))
    .leftJoin(suppressions, eq(suppressions.email, contacts.email))
    .where(affectedCustomerWhere(scope));
  return {
    customers: Number(row?.customers ?? 0),
    recipients: Number(row?.recipients ?? 0),
    suppressed: Number(row?.suppressed ?? 0),
  };
}
