import type { Db } from '../db/client.js';
import { BoundedCache } from '../lib/bounded-cache.js';
import type { IncidentScope } from './affected.js';
import { audienceVersion } from './audience-version.js';
import { type SegmentCount, segmentCounts } from './segment-audience.js';
import { listSegments, type Segment } from './segment-store.js';

/** The segments in match order and, for one incident scope, how many recipients each has. */
export interface AudienceSnapshot {
  segments: readonly Segment[];
  counts: readonly SegmentCount[];
}

/** Scopes kept per process; a burst of events touches a handful, so this only bounds memory. */
const MAX_CACHED_SCOPES = 256;
const cache = new BoundedCache<string, AudienceSnapshot>(MAX_CACHED_SCOPES);

/** The version this process last read or was given (in a process with one database, that database's). */
let lastVersion: string | undefined;

const scopeKey = (scope: IncidentScope) =>
  [scope.regions, scope.components].map((list) => [...new Set(list)].sort().join(',')).join('|');

/**
 * Segments and per-segment counts for an incident scope, computed once per audience version. Counting
 * scans every listed contact — most of an event's database time when each event computed it afresh —
 * while the audience changes far less often than events arrive. The version comes from the database,
 * so every API replica sees another's import at once (see `bumpAudienceVersion`).
 */
export async function audienceSnapshot(
  db: Db,
  scope: IncidentScope,
  /** The version, when the caller already read it in this transaction (`audienceVersionSql`). */
  knownVersion?: string | null,
): Promise<AudienceSnapshot> {
  const version = knownVersion ?? (await audienceVersion(db));
  lastVersion = version;
  const key = `${version}|${scopeKey(scope)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const segments = await listSegments(db);
  const snapshot = { segments, counts: await segmentCounts(db, scope, segments) };
  cache.set(key, snapshot);
  return snapshot;
}

/**
 * The audience version this process saw last, when it holds the snapshot of `scope` under it: for a
 * caller that plans an event without a query and has its one statement check that the version is still
 * current (`applyOpeningEvent`).
 */
export function lastVersionWithSnapshot(scope: IncidentScope): string | undefined {
  return lastVersion !== undefined && cache.get(`${lastVersion}|${scopeKey(scope)}`)
    ? lastVersion
    : undefined;
}
