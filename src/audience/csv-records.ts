import { PassThrough, Readable, Transform } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { badRequest, HttpError } from '../http/errors.js';

/** One CSV record; `row` counts records from 1 (the header), as a spreadsheet numbers its rows. */
export interface CsvRecord {
  row: number;
  fields: string[];
}

/** Options of {@link csvRecords}. */
export interface CsvRecordsOptions {
  /**
   * Most bytes read from the source; more is a 413. A raw-stream body parser bypasses Fastify's own
   * `bodyLimit`, so the limit is enforced here while streaming.
   */
  maxBytes?: number;
}

/** A single field this long is a missing closing quote swallowing the file, not data; stop early. */
const MAX_RECORD_CHARS = 1_000_000;

/** 413 for a CSV body over `maxBytes`, whether declared up front (Content-Length) or counted while read. */
export const csvTooLarge = (maxBytes: number) =>
  new HttpError(413, 'payload_too_large', `The body is larger than ${maxBytes} bytes. Split the file.`);

function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(csvTooLarge(maxBytes));
      else callback(null, chunk);
    },
  });
}

/**
 * Streams RFC 4180 records through csv-parse: quoted fields may hold commas, `""` and line breaks; CRLF,
 * LF or CR end a record (mixed endings, as files pasted together have, are accepted); a UTF-8 BOM (Excel)
 * is dropped; a stray quote inside an unquoted field is kept as text. Only one record is held at a time.
 * A file the parser cannot continue past (e.g. a quote never closed) is a 400 naming the row.
 */
export async function* csvRecords(
  source: Readable | string,
  options: CsvRecordsOptions = {},
): AsyncGenerator<CsvRecord> {
  const input = typeof source === 'string' ? Readable.from([source]) : source;
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_CHARS,
  });
  const limiter = options.maxBytes === undefined ? new PassThrough() : byteLimit(options.maxBytes);
  // Not stream.pipeline: it would destroy the request on failure, and a destroyed request takes its
  // socket along, so the client would never see the 413 or 400. Errors are routed to the parser instead.
  input.on('error', (error) => parser.destroy(error));
  limiter.on('error', (error) => parser.destroy(error));
  input.pipe(limiter).pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { records: number };
    }>)
      yield { row: info.records, fields: record };
  } catch (error) {
    if (error instanceof CsvError) {
      const row = Number((error as unknown as { records?: number }).records ?? 0) + 1;
      throw badRequest('Malformed CSV.', [{ path: `row.${row}`, message: error.message }]);
    }
    throw error;
  } finally {
    // On an early exit Node drains (or closes) the unread rest of the request after the reply.
    input.unpipe(limiter);
    limiter.destroy();
    parser.destroy();
  }
}
