import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCustomersCsv } from '../../src/audience/csv.js';
import { type CsvRecord, csvRecords } from '../../src/audience/csv-records.js';
import { getCustomer } from '../../src/audience/customers.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';

const HEADER = 'ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role';

async function records(source: string | Readable, maxBytes?: number): Promise<CsvRecord[]> {
  const all: CsvRecord[] = [];
  for await (const record of csvRecords(source, maxBytes === undefined ? {} : { maxBytes })) all.push(record);
  return all;
}

describe('csvRecords (csv-parse)', () => {
  it('handles quotes, escaped quotes, embedded line breaks, mixed line endings and a BOM', async () => {
    expect(await records('\ufeffa,b\r\n"x, y","say ""hi"""\n"multi\nline",\n\nq"uo"te,z\n')).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['x, y', 'say "hi"'] },
      { row: 3, fields: ['multi\nline', ''] },
      { row: 4, fields: [''] },
      { row: 5, fields: ['q"uo"te', 'z'] },
    ]);
  });

  it('reads a stream split mid-record and mid-character', async () => {
    const bytes = Buffer.from('a,b\n"é, ü",2\n', 'utf8');
    const split = Readable.from([bytes.subarray(0, 6), bytes.subarray(6)]);
    expect(await records(split)).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['é, ü', '2'] },
    ]);
  });

  it('refuses an unterminated quote with a 400 naming the row', async () => {
    await expect(records('a,b\nc,"d\n')).rejects.toMatchObject({
      statusCode: 400,
      details: [{ path: 'row.2', message: expect.stringMatching(/quote/i) }],
    });
  });

  it('stops with a 413 once the byte limit is passed', async () => {
    const chunks = Array.from({ length: 10 }, () => 'x,y\n'.repeat(100));
    await expect(records(Readable.from(chunks), 1_000)).rejects.toMatchObject({
      statusCode: 413,
      code: 'payload_too_large',
    });
  });
});

describe.each(drivers)('CSV import (%s)', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => database?.close());

  it('groups rows by ref, splits lists on |, keeps extra columns as attributes', async () => {
    const csv = [
      `${HEADER},account_manager`,
      'acme,Acme,enterprise,us|eu,helpdesk|api,de-DE,ada@acme.example,"Ada, CTO",CTO,Sam',
      'acme,,,,,,ben@acme.example,Ben,,',
      'globex,Globex,free,us,chat,,ops@globex.example,,,',
    ].join('\r\n');
    expect(await importCustomersCsv(database.db, csv)).toEqual({ created: 2, updated: 0, rejected: [] });
    const acme = await getCustomer(database.db, 'acme');
    expect(acme).toMatchObject({
      tier: 'enterprise',
      regions: ['us', 'eu'],
      components: ['helpdesk', 'api'],
      locale: 'de-DE',
      attributes: { account_manager: 'Sam' },
    });
    expect(acme.contacts.map((c) => [c.email, c.name, c.role])).toEqual([
      ['ada@acme.example', 'Ada, CTO', 'CTO'],
      ['ben@acme.example', 'Ben', null],
    ]);
  });

  it('rejects bad rows by spreadsheet row number and keeps the other customers', async () => {
    const csv = [
      HEADER,
      'initech,Initech,pro,us,api,,a@initech.example,,',
      'initech,,,,,,not-an-email,,',
      'umbrella,Umbrella,pro,us,api,,u@umbrella.example,,',
      ',Nameless,pro,us,api,,n@x.example,,',
      'hooli,Hooli,Pro Plan,us,api,,h@hooli.example,,',
      'acme,Acme,enterprise,us|eu,helpdesk|api,de-DE,ada@acme.example,,',
      'acme,Acme Corp,,,,,ben@acme.example,,',
    ].join('\n');
    const result = await importCustomersCsv(database.db, csv);
    expect(result.created).toBe(1);
    expect(result.rejected).toEqual([
      { row: 2, error: 'not imported: customer initech has a rejected row (3)' },
      { row: 3, error: expect.stringContaining('contact_email: not a valid e-mail address') },
      { row: 5, error: 'ref: required' },
      { row: 6, error: expect.stringContaining('tier: ') },
      { row: 7, error: 'not imported: customer acme has a rejected row (8)' },
      { row: 8, error: 'name: differs from row 7 of the same ref' },
    ]);
    await expect(getCustomer(database.db, 'initech')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers 422 for a header without the required columns', async () => {
    await expect(importCustomersCsv(database.db, 'ref,name\nx,y\n')).rejects.toMatchObject({
      statusCode: 422,
      code: 'invalid_csv_header',
    });
  });
});
