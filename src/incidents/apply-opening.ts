import { type SQL, sql } from 'drizzle-orm';
import { lastVersionWithSnapshot } from '../audience/audience-snapshot.js';
import { audienceVersionSql } from '../audience/audience-version.js';
import type { Db } from '../db/client.js';
import { withWrites } from '../db/combined-writes.js';
import { isUniqueViolation } from '../db/errors.js';
import { insertFromJson } from '../db/json-insert.js';
import { selectPreparedRows } from '../db/prepared.js';
import { incidentEvents, incidents } from '../db/schema.js';
import { type AppliedEvent, type ApplyContext, consequences, eventRowOf, openingIncident } from './apply.js';
import { usuallyOpens } from './lifecycle.js';
import type { EventBody } from './schemas.js';

/**
 * An event that opens a new incident, applied in one statement and no transaction: the incident, the
 * event with its answer, the window and the notices with their versions. The usual path (`applyEvent` in
 * a transaction) takes four round trips for this — BEGIN and COMMIT are two of them — and on this
 * machine's loopback each costs the API ~50 µs of CPU in the socket write alone.
 *
 * Planning the notices needs the audience's version and segment counts, which the usual path reads in
 * its first statement; here they are the ones this process used last, and the statement inserts nothing
 * unless that version is still current. Resolves with `undefined` — nothing written — when this path does
 * not apply, and the caller then takes the usual one: an incident that exists already (or a replay of
 * its opening event), an event of a type that seldom opens one (`usuallyOpens`; it is not tried, so an
 * update pays no wasted statement), one with a series key (which needs its lock), an
 * audience this process has not counted yet or that changed since, and an event id first used for
 * another incident (the insert fails on the unique key, undoing the whole statement).
 */
export async function applyOpeningEvent(
  db: Db,
  ctx: ApplyContext,
  event: EventBody,
): Promise<AppliedEvent | undefined> {
  const { ref, series_key: seriesKey } = event.incident;
  if (ref === undefined || seriesKey !== undefined || !usuallyOpens(event.type)) return undefined;
  const { regions, components } = event.incident;
  const version = lastVersionWithSnapshot({ regions, components });
  if (version === undefined) return undefined;
  const { row, opening } = openingIncident(ctx, ref, event);
  if (opening.error) return undefined;

  const created: SQL = sql`exists (select from created)`;
  const eventRow = eventRowOf(ctx, event);
  const { response, writes } = await consequences(db, ctx, {
    event,
    eventRowId: eventRow.id,
    before: 'new',
    incident: row,
    type: opening.type,
    newIncident: true,
    audienceVersion: version,
    onlyIf: created,
  });
  const current = sql`${audienceVersionSql} is not distinct from ${version}`;
  try {
    const [result] = await selectPreparedRows<{ applied: boolean }>(
      db,
      withWrites(writes, sql`select ${created} as applied`, [
        sql`created as (${insertFromJson(incidents, [row], current)} on conflict do nothing returning id)`,
        sql`event as (${insertFromJson(incidentEvents, [{ ...eventRow(row.id, opening.type), response }], created)})`,
      ]),
    );
    if (!result?.applied) return undefined;
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
  return { response, sourceEventId: event.id, type: opening.type, duplicate: false };
}
