import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { segments } from '../db/schema.js';
import { conflict, notFound } from '../http/errors.js';
import { bumpAudienceVersion } from './audience-version.js';
import { parseRule, type Rule } from './segments.js';

export type SegmentRow = typeof segments.$inferSelect;

/** A stored segment with its rule already validated. */
export interface Segment extends Omit<SegmentRow, 'rule'> {
  rule: Rule;
}

export const segmentKeySchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" and "_"');

/** Body of `PUT /v1/segments/:key`; the rule itself is checked by `parseRule` for precise paths. */
export const segmentBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  rule: z.unknown(),
  /** Template variant the segment's mail is rendered with, e.g. `affected-enterprise`. */
  template: z.string().trim().min(1).max(100).nullable().optional(),
  /** Overrides of the send policy (see communications/policy.ts), e.g. `{ "notify": false }`. */
  send_policy: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Lower comes first; a contact belongs to the first segment whose rule it matches. */
  priority: z.number().int().min(0).max(1_000_000).optional(),
});
export type SegmentBody = z.infer<typeof segmentBodySchema>;

export const segmentViewSchema = z.object({
  key: z.string(),
  name: z.string(),
  rule: z.unknown(),
  template: z.string().nullable(),
  send_policy: z.record(z.string(), z.unknown()).nullable(),
  priority: z.number().int(),
  /** One of the segments every workspace starts with: restored at every start, so it cannot be deleted. */
  default: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type SegmentView = z.infer<typeof segmentViewSchema>;

export const toSegmentView = (s: Segment): SegmentView => ({
  key: s.key,
  name: s.name,
  rule: s.rule,
  template: s.template,
  send_policy: (s.sendPolicy as Record<string, unknown> | null) ?? null,
  priority: s.priority,
  default: DEFAULT_SEGMENTS.some((d) => d.key === s.key),
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});

/** The segments every workspace starts with, in the order a contact is matched against them. */
export const DEFAULT_SEGMENTS = [
  {
    key: 'affected-enterprise',
    name: 'Affected enterprise customers',
    rule: { all: [{ affected: true }, { field: 'tier', in: ['enterprise'] }] },
    template: 'affected-enterprise',
    sendPolicy: null,
    priority: 10,
  },
  {
    key: 'affected',
    name: 'Affected customers',
    rule: { affected: true },
    template: 'affected',
    sendPolicy: null,
    priority: 20,
  },
  {
    key: 'unaffected',
    name: 'Not affected',
    rule: { affected: false },
    template: 'unaffected',
    // Telling customers about an outage they did not notice costs trust; staff can still send by hand.
    sendPolicy: { notify: false },
    priority: 30,
  },
] as const satisfies readonly Omit<SegmentRow, 'createdAt' | 'updatedAt'>[];

/**
 * Inserts the default segments that are missing and leaves existing ones, edited or not, alone; safe to
 * call at every start and from several processes at once (ON CONFLICT DO NOTHING).
 */
export async function ensureDefaultSegments(db: Db): Promise<void> {
  const added = await db
    .insert(segments)
    .values(DEFAULT_SEGMENTS.map((s) => ({ ...s, rule: s.rule as Rule })))
    .onConflictDoNothing({ target: segments.key })
    .returning({ key: segments.key });
  if (added.length > 0) await bumpAudienceVersion(db);
}

function validated(row: SegmentRow): Segment {
  // Rules are validated on write; failing here means the table was edited by hand, which is a 500.
  try {
    return { ...row, rule: parseRule(row.rule, `segments.${row.key}.rule`) };
  } catch (error) {
    throw new Error(`Stored segment ${row.key} has an invalid rule`, { cause: error });
  }
}

/** Every segment in the order contacts are matched against them (priority, then key for ties). */
export async function listSegments(db: Db): Promise<Segment[]> {
  const rows = await db.select().from(segments).orderBy(asc(segments.priority), asc(segments.key));
  return rows.map(validated);
}

/** One segment, or undefined when there is none by that key (e.g. deleted after mail was planned for it). */
export async function findSegment(db: Db, key: string): Promise<Segment | undefined> {
  const [row] = await db.select().from(segments).where(eq(segments.key, key));
  return row ? validated(row) : undefined;
}

/**
 * Deletes a segment. Default segments are refused (every start puts them back; edit their rule
 * instead), and so is a segment that communications still in progress are addressed to: their fan-out
 * reads its audience through the segment's rule. Contacts it matched fall to the next matching segment.
 */
export async function deleteSegment(
  db: Db,
  key: string,
  actor: string,
  openCommunications: (tx: Db, key: string) => Promise<string[]>,
): Promise<void> {
  if (DEFAULT_SEGMENTS.some((s) => s.key === key)) {
    throw conflict(
      'default_segment',
      `Segment ${key} is a default segment and is restored at every start; change its rule or send policy instead.`,
    );
  }
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ key: segments.key })
      .from(segments)
      .where(eq(segments.key, key))
      .for('update');
    if (!row) throw notFound('Segment', key);
    const open = await openCommunications(tx as unknown as Db, key);
    if (open.length > 0) {
      throw conflict(
        'segment_in_use',
        `Segment ${key} is addressed by communications still in progress; cancel or finish them first.`,
        open.map((id) => ({ communication_id: id })),
      );
    }
    await tx.delete(segments).where(eq(segments.key, key));
    await bumpAudienceVersion(tx as unknown as Db);
    await appendAudit(tx as unknown as Db, {
      actor,
      action: 'segment.delete',
      subjectType: 'segment',
      subjectId: key,
      details: {},
    });
  });
}

/** Creates or replaces a segment; an omitted priority keeps the stored one (100 for a new segment). */
export async function putSegment(
  db: Db,
  key: string,
  body: SegmentBody,
  actor: string,
  now = new Date(),
): Promise<{ segment: Segment; created: boolean }> {
  const rule = parseRule(body.rule);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(segments)
      .values({
        key,
        name: body.name,
        rule,
        template: body.template ?? null,
        sendPolicy: body.send_policy ?? null,
        priority: body.priority ?? 100,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: segments.key,
        set: {
          name: sql`excluded.name`,
          rule: sql`excluded.rule`,
          template: sql`excluded.template`,
          sendPolicy: sql`excluded.send_policy`,
          ...(body.priority === undefined ? {} : { priority: sql`excluded.priority` }),
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    const created = Boolean(row?.inserted);
    await bumpAudienceVersion(tx as unknown as Db);
    await appendAudit(tx as unknown as Db, {
      actor,
      action: created ? 'segment.create' : 'segment.update',
      subjectType: 'segment',
      subjectId: key,
      details: { rule, template: body.template ?? null, priority: body.priority ?? null },
    });
    const segment = await findSegment(tx as unknown as Db, key);
    if (!segment) throw new Error(`segment ${key} vanished inside its own transaction`);
    return { segment, created };
  });
}
