import type { Readable } from 'node:stream';
import type { Db } from '../db/client.js';
import { HttpError, unprocessable } from '../http/errors.js';
import { type CsvRecordsOptions, csvRecords } from './csv-records.js';
import { IMPORT_CHUNK_SIZE, MAX_IMPORT_ROWS, tooManyRows, writeValidCustomers } from './customers.js';
import { type CustomerInput, customerImportItemSchema, type ImportResult } from './schemas.js';

const REQUIRED = ['ref', 'name', 'tier', 'regions', 'components', 'contact_email'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'locale', 'contact_name', 'contact_role', 'contact_locale']);
const CUSTOMER_COLUMNS = ['name', 'tier', 'regions', 'components', 'locale'] as const;
const CONTACT_COLUMN: Record<string, string> = {
  email: 'contact_email',
  name: 'contact_name',
  role: 'contact_role',
  locale: 'contact_locale',
};

/** The rows of one customer: consecutive records sharing a ref. */
interface Group {
  ref: string;
  rows: number[];
  records: Map<string, string>[];
  error?: { row: number; error: string };
}
type Rejected = ImportResult['rejected'];

const list = (value: string | undefined) =>
  (value ?? '')
    .split('|')
    .map((v) => v.trim())
    .filter(Boolean);
const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

function toInput(group: Group, extraColumns: string[]): unknown {
  const first = group.records[0]!;
  const attributes: Record<string, string> = {};
  for (const column of extraColumns) {
    const value = optional(first.get(column));
    if (value !== undefined) attributes[column] = value;
  }
  return {
    ref: group.ref,
    name: first.get('name')?.trim() ?? '',
    tier: first.get('tier')?.trim() ?? '',
    regions: list(first.get('regions')),
    components: list(first.get('components')),
    locale: optional(first.get('locale')),
    ...(extraColumns.length > 0 ? { attributes } : {}),
    contacts: group.records.map((r) => ({
      email: r.get('contact_email') ?? '',
      name: optional(r.get('contact_name')),
      role: optional(r.get('contact_role')),
      locale: optional(r.get('contact_locale')),
    })),
  };
}

/** Names a zod issue by the CSV column it came from, and finds the row that holds it. */
function locate(group: Group, path: readonly PropertyKey[]): { row: number; column: string } {
  if (path[0] === 'contacts' && typeof path[1] === 'number') {
    return {
      row: group.rows[path[1]] ?? group.rows[0]!,
      column: CONTACT_COLUMN[String(path[2])] ?? 'contacts',
    };
  }
  return { row: group.rows[0]!, column: String(path[0] ?? 'row') };
}

/**
 * Validates a finished customer. It is written whole or not at all: when one of its rows is rejected,
 * its other rows are listed too, so no row silently goes missing.
 */
function settle(group: Group, extraColumns: string[], rejected: Rejected): CustomerInput | undefined {
  const errors: { row: number; error: string }[] = group.error ? [group.error] : [];
  if (errors.length === 0) {
    const parsed = customerImportItemSchema.safeParse(toInput(group, extraColumns));
    if (parsed.success) return parsed.data;
    const byRow = new Map<number, string[]>();
    for (const issue of parsed.error.issues) {
      const { row, column } = locate(group, issue.path);
      byRow.set(row, [...(byRow.get(row) ?? []), `${column}: ${issue.message}`]);
    }
    for (const [row, messages] of byRow) errors.push({ row, error: messages.join('; ') });
  }
  rejected.push(...errors);
  const blamed = errors.map((e) => e.row).join(', ');
  for (const row of group.rows)
    if (!errors.some((e) => e.row === row))
      rejected.push({ row, error: `not imported: customer ${group.ref} has a rejected row (${blamed})` });
  return undefined;
}

function readHeader(fields: string[]): { header: string[]; extraColumns: string[] } {
  const header = fields.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((column) => !header.includes(column));
  const duplicated = header.filter((h, i) => h !== '' && header.indexOf(h) !== i);
  if (missing.length > 0 || duplicated.length > 0) {
    throw unprocessable(
      'invalid_csv_header',
      `The CSV header must name ${REQUIRED.join(', ')} (optional: locale, contact_name, contact_role, contact_locale; other columns become attributes).`,
      [
        ...missing.map((column) => ({ column, problem: 'missing' })),
        ...duplicated.map((column) => ({ column, problem: 'duplicated' })),
      ],
    );
  }
  return { header, extraColumns: header.filter((h) => h !== '' && !KNOWN.has(h)) };
}

/** Options of {@link importCustomersCsv}. */
export interface CsvImportOptions extends CsvRecordsOptions {
  /** Most data rows (header not counted); row `maxRows + 1` is a 413. Defaults to {@link MAX_IMPORT_ROWS}. */
  maxRows?: number;
  /** Timestamp written on every row. */
  now?: Date;
}

/**
 * `POST /v1/customers/import` with `text/csv`: one row per contact, list fields separated by `|`, extra
 * columns kept as string attributes; `row` numbers count the header as row 1.
 *
 * Streamed: records are read one at a time and finished customers are written in chunks of
 * {@link IMPORT_CHUNK_SIZE}, so memory does not grow with the file. The price is that rows of one
 * customer must be adjacent (an export sorted or grouped by ref is): a customer is finished when another
 * ref starts, and a ref that shows up again later is rejected rather than silently replacing the
 * contact list written from its first rows. Only the refs seen so far are remembered for that check.
 * For the same reason an error that stops reading (over the row or byte limit, malformed CSV) arrives
 * after earlier chunks were written; its message says so, and re-sending them is harmless (upserts).
 */
export async function importCustomersCsv(
  db: Db,
  source: Readable | string,
  options: CsvImportOptions = {},
): Promise<ImportResult> {
  const now = options.now ?? new Date();
  const maxRows = options.maxRows ?? MAX_IMPORT_ROWS;
  const rejected: Rejected = [];
  const closed = new Map<string, number>();
  let columns: ReturnType<typeof readHeader> | undefined;
  let current: Group | undefined;
  let ready: CustomerInput[] = [];
  let dataRows = 0;
  let created = 0;
  let updated = 0;

  const finish = async (force: boolean) => {
    if (current) {
      closed.set(current.ref, current.rows[0]!);
      const valid = settle(current, columns!.extraColumns, rejected);
      if (valid) ready.push(valid);
      current = undefined;
    }
    if (ready.length >= IMPORT_CHUNK_SIZE || (force && ready.length > 0)) {
      const written = await writeValidCustomers(db, ready, now);
      created += written.created;
      updated += written.updated;
      ready = [];
    }
  };

  try {
    for await (const { row, fields } of csvRecords(source, options)) {
      if (!columns) {
        columns = readHeader(fields);
        continue;
      }
      const { header, extraColumns } = columns;
      if (++dataRows > maxRows) throw tooManyRows('more', maxRows);
      if (fields.every((f) => f.trim() === '')) continue;
      if (fields.length > header.length) {
        rejected.push({ row, error: `has ${fields.length} fields but the header has ${header.length}` });
        continue;
      }
      const record = new Map(header.map((column, i) => [column, fields[i] ?? '']));
      const ref = record.get('ref')?.trim() ?? '';
      if (ref === '') {
        rejected.push({ row, error: 'ref: required' });
        continue;
      }
      if (current?.ref !== ref) {
        await finish(false);
        const first = closed.get(ref);
        if (first !== undefined) {
          rejected.push({
            row,
            error: `ref: customer ${ref} already ended (its rows start at row ${first}); rows of one customer must be adjacent`,
          });
          continue;
        }
        current = { ref, rows: [], records: [] };
      }
      const group: Group = current;
      const first = group.records[0];
      for (const column of first ? [...CUSTOMER_COLUMNS, ...extraColumns] : []) {
        const value = record.get(column)?.trim() ?? '';
        if (value !== '' && value !== (first!.get(column)?.trim() ?? '') && !group.error)
          group.error = { row, error: `${column}: differs from row ${group.rows[0]} of the same ref` };
      }
      group.rows.push(row);
      group.records.push(record);
    }
    if (!columns) readHeader([]);
    await finish(true);
  } catch (error) {
    if (error instanceof HttpError && created + updated > 0)
      throw new HttpError(
        error.statusCode,
        error.code,
        `${error.message} The ${created + updated} customers before it were already imported; re-sending them is harmless.`,
        error.details,
      );
    throw error;
  }
  rejected.sort((a, b) => a.row - b.row);
  return { created, updated, rejected };
}
