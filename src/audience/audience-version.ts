import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema.js';

const AUDIENCE_VERSION = 'audience_version';

/**
 * Marks the audience as changed: every write that can add recipients to a segment (customers and
 * contacts, segment rules, a lifted suppression) calls this in its own transaction. The value is a
 * random token rather than a counter, so a version names one state of one database and caches keyed by
 * it need no other notion of which database they belong to.
 *
 * Writes that can only take recipients away (an unsubscribe, a bounce) do not bump it: a count cached
 * before them is briefly too high, and the fan-out, which reads the audience itself, sends to nobody it
 * should not and records the true figure.
 */
export async function bumpAudienceVersion(db: Db): Promise<void> {
  await db
    .insert(settings)
    .values({ key: AUDIENCE_VERSION, value: sql`gen_random_uuid()::text` })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`gen_random_uuid()::text` } });
}

/**
 * The current version as an SQL expression (null before first use), for a caller that can read it in
 * a statement it runs anyway and so save a round trip; pass the result to `audienceSnapshot`.
 */
export const audienceVersionSql = sql<
  string | null
>`(select ${settings.value} from ${settings} where ${settings.key} = ${AUDIENCE_VERSION})`;

/** The current audience version; created on first use. */
export async function audienceVersion(db: Db): Promise<string> {
  const read = async () =>
    (await db.select({ value: settings.value }).from(settings).where(eq(settings.key, AUDIENCE_VERSION)))[0]
      ?.value;
  const current = await read();
  if (current) return current;
  await db
    .insert(settings)
    .values({ key: AUDIENCE_VERSION, value: sql`gen_random_uuid()::text` })
    .onConflictDoNothing();
  return (await read())!;
}
