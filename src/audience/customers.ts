import { and, inArray, isNull, sql } from 'drizzle-orm';
import { textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { contacts, customers } from '../db/schema.js';
import { HttpError } from '../http/errors.js';
import { bumpAudienceVersion } from './audience-version.js';
import { getCustomer } from './customer-queries.js';
import {
  type CustomerInput,
  type CustomerView,
  customerImportItemSchema,
  describeIssues,
  type ImportResult,
} from './schemas.js';

export { getCustomer, listCustomers } from './customer-queries.js';

/** Most customers one import request may carry; above it the caller should split the file. */
export const MAX_IMPORT_ROWS = 50_000;
/** Customers written per transaction: big enough for few round trips, small enough for short locks. */
export const IMPORT_CHUNK_SIZE = 500;
/** Contacts per INSERT: 6 parameters each stays far below PostgreSQL's 65,535-parameter limit. */
const CONTACT_INSERT_BATCH = 2_000;

/** 413 for an import over `limit` rows; a streamed import stops reading at the first row too many. */
export const tooManyRows = (count: number | 'more', limit = MAX_IMPORT_ROWS) =>
  new HttpError(
    413,
    'too_many_rows',
    `An import may hold at most ${limit} rows; this one has ${count}. Split it into several requests.`,
  );

const unique = (values: string[]) => [...new Set(values)];

/**
 * Upserts customers on `ref` and makes each one's contacts exactly the given list, with multi-row
 * statements so a chunk costs a handful of round trips whatever its size. Must run inside a transaction.
 * Returns whether each ref was inserted, from PostgreSQL's `xmax = 0` (a fresh row has no deleting
 * transaction), which PGlite reports the same way.
 */
async function writeCustomers(
  tx: Db,
  items: CustomerInput[],
  now: Date,
): Promise<Map<string, { id: string; inserted: boolean }>> {
  const written = await tx
    .insert(customers)
    .values(
      items.map((item) => ({
        id: newId('cus', now.getTime()),
        ref: item.ref,
        name: item.name,
        tier: item.tier,
        regions: unique(item.regions),
        components: unique(item.components),
        locale: item.locale ?? null,
        attributes: item.attributes ?? {},
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: customers.ref,
      set: {
        name: sql`excluded.name`,
        tier: sql`excluded.tier`,
        regions: sql`excluded.regions`,
        components: sql`excluded.components`,
        locale: sql`excluded.locale`,
        attributes: sql`excluded.attributes`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .returning({ id: customers.id, ref: customers.ref, inserted: sql<boolean>`(xmax = 0)` });
  const byRef = new Map(written.map((row) => [row.ref, { id: row.id, inserted: row.inserted }]));
  await bumpAudienceVersion(tx);

  const contactRows = items.flatMap((item) => {
    const customerId = byRef.get(item.ref)!.id;
    return item.contacts.map((contact) => ({
      id: newId('con', now.getTime()),
      customerId,
      email: contact.email,
      name: contact.name ?? null,
      role: contact.role ?? null,
      locale: contact.locale ?? null,
      createdAt: now,
      updatedAt: now,
    }));
  });
  for (let i = 0; i < contactRows.length; i += CONTACT_INSERT_BATCH) {
    // `unsubscribed_at` is deliberately not touched: re-importing a list must never resubscribe anyone,
    // while a contact listed again after being removed simply comes back (`removed_at` cleared).
    await tx
      .insert(contacts)
      .values(contactRows.slice(i, i + CONTACT_INSERT_BATCH))
      .onConflictDoUpdate({
        target: [contacts.customerId, contacts.email],
        set: {
          name: sql`excluded.name`,
          role: sql`excluded.role`,
          locale: sql`excluded.locale`,
          removedAt: sql`null`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
  }
  await removeUnlistedContacts(
    tx,
    [...byRef.values()].map((c) => c.id),
    contactRows,
    now,
  );
  return byRef;
}

/**
 * The given list replaces the customer's contacts. Dropped contacts are marked removed rather than deleted:
 * messages refer to them, and keeping the row keeps an unsubscribe that must survive the contact being
 * listed again later. Unchanged lists, the usual case on re-import, touch no row here.
 */
async function removeUnlistedContacts(
  tx: Db,
  customerIds: string[],
  kept: { customerId: string; email: string }[],
  now: Date,
): Promise<void> {
  await tx
    .update(contacts)
    .set({ removedAt: now, updatedAt: now })
    .where(
      and(
        inArray(contacts.customerId, customerIds),
        isNull(contacts.removedAt),
        sql`(${contacts.customerId}, ${contacts.email}) not in (select * from unnest(${textArray(
          kept.map((c) => c.customerId),
        )}, ${textArray(kept.map((c) => c.email))}))`,
      ),
    );
}

/** `PUT /v1/customers/:ref`: one customer and its whole contact list, in one transaction. */
export async function upsertCustomer(
  db: Db,
  input: CustomerInput,
  now = new Date(),
): Promise<{ customer: CustomerView; created: boolean }> {
  const written = await db.transaction(async (tx) => writeCustomers(tx as unknown as Db, [input], now));
  const created = written.get(input.ref)!.inserted;
  return { customer: await getCustomer(db, input.ref), created };
}

/**
 * Validates every item on its own (rows are 1-based positions in `items`), keeps the valid ones and writes
 * them in chunks of {@link IMPORT_CHUNK_SIZE}, one transaction each: a failure midway leaves whole chunks
 * written, and re-running the same import is harmless because every write is an upsert.
 */
export async function importCustomers(
  db: Db,
  items: readonly unknown[],
  now = new Date(),
): Promise<ImportResult> {
  if (items.length > MAX_IMPORT_ROWS) throw tooManyRows(items.length);
  const rejected: ImportResult['rejected'] = [];
  const valid: CustomerInput[] = [];
  const firstRowOfRef = new Map<string, number>();
  items.forEach((item, index) => {
    const row = index + 1;
    const parsed = customerImportItemSchema.safeParse(item);
    if (!parsed.success) {
      rejected.push({ row, error: describeIssues(parsed.error.issues) });
      return;
    }
    const first = firstRowOfRef.get(parsed.data.ref);
    if (first !== undefined) {
      // One statement cannot upsert a ref twice, and which copy should win is the caller's call.
      rejected.push({ row, error: `ref: duplicate of row ${first}` });
      return;
    }
    firstRowOfRef.set(parsed.data.ref, row);
    valid.push(parsed.data);
  });
  return { ...(await writeValidCustomers(db, valid, now)), rejected };
}

/** Writes already validated customers with distinct refs; shared by the JSON and CSV imports. */
export async function writeValidCustomers(
  db: Db,
  valid: CustomerInput[],
  now = new Date(),
): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  for (let i = 0; i < valid.length; i += IMPORT_CHUNK_SIZE) {
    const chunk = valid.slice(i, i + IMPORT_CHUNK_SIZE);
    const written = await db.transaction(async (tx) => writeCustomers(tx as unknown as Db, chunk, now));
    for (const { inserted } of written.values()) inserted ? created++ : updated++;
  }
  return { created, updated };
}
