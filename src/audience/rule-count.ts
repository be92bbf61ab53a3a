import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { contacts, customers, incidents } from '../db/schema.js';
import { badRequest } from '../http/errors.js';
import { type AudienceCount, countAffected, excludedContact, type IncidentScope } from './affected.js';
import { compileRule, parseRule, usesAffected } from './segments.js';

/**
 * How many listed contacts a rule matches on its own, for the segment editor's live count. It ignores
 * the segments before it: the saved segment may get fewer, because a contact belongs to the first
 * segment it matches. A rule using `affected` needs an incident (400 naming `incident_id` otherwise).
 */
export async function countRule(db: Db, value: unknown, scope: IncidentScope | undefined) {
  const rule = parseRule(value);
  if (!scope && usesAffected(rule)) {
    throw badRequest('This rule depends on an incident.', [
      { path: 'incident_id', message: 'required: the rule uses "affected", which needs an incident' },
    ]);
  }
  const [row] = await db
    .select({
      customers: sql<number>`count(distinct ${contacts.customerId})::int`,
      recipients: sql<number>`(count(*) filter (where not ${excludedContact}))::int`,
      suppressed: sql<number>`(count(*) filter (where ${excludedContact}))::int`,
    })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(and(isNull(contacts.removedAt), compileRule(rule, scope)));
  return {
    customers: Number(row?.customers ?? 0),
    recipients: Number(row?.recipients ?? 0),
    suppressed: Number(row?.suppressed ?? 0),
  };
}

/** Affected customers and recipients of several incidents at once: the incident list's audience column. */
export async function affectedByIncident(
  db: Db,
  incidentIds: string[],
): Promise<(AudienceCount & { incident_id: string })[]> {
  if (incidentIds.length === 0) return [];
  const rows = await db
    .select({ id: incidents.id, regions: incidents.regions, components: incidents.components })
    .from(incidents)
    .where(inArray(incidents.id, incidentIds));
  return Promise.all(rows.map(async (r) => ({ incident_id: r.id, ...(await countAffected(db, r)) })));
}
