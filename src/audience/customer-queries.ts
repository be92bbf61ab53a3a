import { and, asc, eq, gt, ilike, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { contacts, customers, suppressions } from '../db/schema.js';
import { badRequest, notFound } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import type { CustomerView } from './schemas.js';

type CustomerRow = typeof customers.$inferSelect;

async function withContacts(db: Db, rows: CustomerRow[]): Promise<CustomerView[]> {
  if (rows.length === 0) return [];
  const contactRows = await db
    .select({
      id: contacts.id,
      customerId: contacts.customerId,
      email: contacts.email,
      name: contacts.name,
      role: contacts.role,
      locale: contacts.locale,
      unsubscribedAt: contacts.unsubscribedAt,
      suppressed: sql<boolean>`${suppressions.email} is not null`,
    })
    .from(contacts)
    .leftJoin(suppressions, eq(suppressions.email, contacts.email))
    .where(
      and(
        inArray(
          contacts.customerId,
          rows.map((r) => r.id),
        ),
        isNull(contacts.removedAt),
      ),
    )
    // Ids written in one statement share a timestamp, so id order is arbitrary there; addresses read well.
    .orderBy(asc(contacts.email));
  const byCustomer = new Map<string, CustomerView['contacts']>(rows.map((r) => [r.id, []]));
  for (const c of contactRows)
    byCustomer.get(c.customerId)?.push({
      id: c.id,
      email: c.email,
      name: c.name,
      role: c.role,
      locale: c.locale,
      unsubscribed_at: c.unsubscribedAt?.toISOString() ?? null,
      suppressed: Boolean(c.suppressed),
    });
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    name: r.name,
    tier: r.tier,
    regions: r.regions,
    components: r.components,
    locale: r.locale,
    attributes: r.attributes,
    contacts: byCustomer.get(r.id) ?? [],
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  }));
}

export async function getCustomer(db: Db, ref: string): Promise<CustomerView> {
  const rows = await db.select().from(customers).where(eq(customers.ref, ref));
  const [view] = await withContacts(db, rows);
  if (!view) throw notFound('Customer', ref);
  return view;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Customers in id order (oldest first), keyset-paged. `q` matches part of the ref, the name or a contact's
 * address, case-insensitively; without a trigram index that is a scan, fine for a staff search box.
 */
export async function listCustomers(
  db: Db,
  query: {
    q?: string | undefined;
    limit: number;
    cursor?: string | undefined;
    /** A further condition on `customers`, e.g. segment membership from `customersInSegmentWhere`. */
    where?: SQL | undefined;
  },
): Promise<{ data: CustomerView[]; next_cursor: string | null }> {
  const after = decodeCursor(query.cursor);
  const q = query.q?.trim();
  if (q !== undefined && q.length > 200)
    throw badRequest('q is too long.', [{ path: 'query.q', message: 'at most 200 characters' }]);
  const pattern = q ? likePattern(q) : undefined;
  const rows = await db
    .select()
    .from(customers)
    .where(
      and(
        after ? gt(customers.id, after) : undefined,
        query.where,
        pattern
          ? or(
              ilike(customers.ref, pattern),
              ilike(customers.name, pattern),
              sql`exists (select 1 from ${contacts} where ${contacts.customerId} = ${customers.id} and ${contacts.removedAt} is null and ${contacts.email} ilike ${pattern})`,
            )
          : undefined,
      ),
    )
    .orderBy(asc(customers.id))
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => row);
  return { data: await withContacts(db, page.data), next_cursor: page.next_cursor };
}
