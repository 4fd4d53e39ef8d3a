/**
 * RFC 4180 CSV: fields holding a comma, a double quote, CR or LF are quoted and their quotes doubled;
 * records end with CRLF; text is UTF-8, optionally preceded by a byte order mark so Excel detects it.
 * Writers produce text in chunks (an Iterable<string>) so a large export streams to disk with bounded
 * memory; each chunk is pulled only when the file stream wants more.
 * Pure (no Node imports): the main process's exports and the renderer's dev fake share it; writing a
 * file is src-main/export/csv.ts.
 */

export type CsvValue = string | number | boolean | null | undefined | Date;

export interface CsvOptions {
  /** Prefix a UTF-8 byte order mark (Excel on Windows needs it to read non-ASCII names). */
  bom?: boolean;
}

const BOM = '\uFEFF';
const NEEDS_QUOTES = /[",\r\n]/;
/** Rows per yielded chunk: big enough to amortise stream overhead, small enough to stay lazy. */
const ROWS_PER_CHUNK = 2048;

/** Numbers use the shortest text that reads back to the same double; NaN and ±Infinity stay words. */
export function formatCsvValue(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  return value;
}

export function csvField(value: CsvValue): string {
  const text = formatCsvValue(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += csvField(values[i]);
  }
  return `${line}\r\n`;
}

/** Header then rows, as text chunks of ROWS_PER_CHUNK records. */
export function* csvChunks(
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
  options: CsvOptions = {},
): Generator<string> {
  let chunk = (options.bom ? BOM : '') + csvRow(header);
  let count = 0;
  for (const row of rows) {
    chunk += csvRow(row);
    if (++count === ROWS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      count = 0;
    }
  }
  if (chunk) yield chunk;
}

export function csvToString(chunks: Iterable<string>): string {
  let out = '';
  for (const c of chunks) out += c;
  return out;
}
