import type { Db } from '../db/client.js';
import { badRequest, unprocessable } from '../http/errors.js';
import { MAX_IMPORT_ROWS, tooManyRows, writeValidCustomers } from './customers.js';
import { type CustomerInput, customerImportItemSchema, type ImportResult } from './schemas.js';

/**
 * RFC 4180 records: quoted fields may hold commas, `""` and line breaks; CRLF or LF ends a record; a
 * leading UTF-8 BOM (Excel) is dropped. Throws a 400 on an unterminated quote rather than guessing.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRecord();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
  }
  if (quoted)
    throw badRequest('Malformed CSV.', [{ path: '(body)', message: 'a quoted field is never closed' }]);
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

const REQUIRED = ['ref', 'name', 'tier', 'regions', 'components', 'contact_email'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'locale', 'contact_name', 'contact_role', 'contact_locale']);
const CUSTOMER_COLUMNS = ['name', 'tier', 'regions', 'components', 'locale'] as const;
const CONTACT_COLUMN: Record<string, string> = {
  email: 'contact_email',
  name: 'contact_name',
  role: 'contact_role',
  locale: 'contact_locale',
};

interface Group {
  ref: string;
  rows: number[];
  records: Map<string, string>[];
  error?: { row: number; error: string };
}

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
 * `POST /v1/customers/import` with `text/csv`: one row per contact, rows sharing a `ref` are one customer,
 * list fields separated by `|`, extra columns kept as string attributes. `row` numbers count the header
 * as row 1, as a spreadsheet shows them. A customer is written whole or not at all: when one of its rows
 * is rejected, its other rows are listed too, so no row silently goes missing.
 */
export async function importCustomersCsv(db: Db, text: string, now = new Date()): Promise<ImportResult> {
  const records = parseCsv(text);
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
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
  const dataRows = records.length - 1;
  if (dataRows > MAX_IMPORT_ROWS) throw tooManyRows(dataRows);
  const extraColumns = header.filter((h) => h !== '' && !KNOWN.has(h));

  const rejected: ImportResult['rejected'] = [];
  const groups = new Map<string, Group>();
  for (let index = 1; index < records.length; index++) {
    const fields = records[index]!;
    const row = index + 1;
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
    const group = groups.get(ref) ?? { ref, rows: [], records: [] };
    groups.set(ref, group);
    const first = group.records[0];
    for (const column of first ? [...CUSTOMER_COLUMNS, ...extraColumns] : []) {
      const value = record.get(column)?.trim() ?? '';
      if (value !== '' && value !== (first!.get(column)?.trim() ?? '') && !group.error)
        group.error = { row, error: `${column}: differs from row ${group.rows[0]} of the same ref` };
    }
    group.rows.push(row);
    group.records.push(record);
  }

  const valid: CustomerInput[] = [];
  for (const group of groups.values()) {
    const errors: { row: number; error: string }[] = group.error ? [group.error] : [];
    if (errors.length === 0) {
      const parsed = customerImportItemSchema.safeParse(toInput(group, extraColumns));
      if (parsed.success) {
        valid.push(parsed.data);
        continue;
      }
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
  }
  rejected.sort((a, b) => a.row - b.row);
  return { ...(await writeValidCustomers(db, valid, now)), rejected };
}
