/**
 * RFC 4180 CSV: records end with CRLF or LF (a lone CR is data); fields are separated by
 * commas; a field in double quotes may hold commas, line breaks and doubled quotes (""),
 * which stand for one quote. A final line break does not start an empty record. Every
 * record must have as many fields as the first one (the header), whose names must differ.
 * A UTF-8 byte-order mark before the header (as spreadsheet programs write) is skipped.
 */
import { clip, quote } from '../engine/quote.js';
import { DataError } from './errors.js';

const BYTE_ORDER_MARK = 0xfeff;
const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Whether the character at `i` ends an unquoted run: a comma, a quote, LF or CR LF. */
function isSpecial(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === COMMA || c === QUOTE || c === LF || (c === CR && text.charCodeAt(i + 1) === LF);
}

export interface CsvTable {
  /** The first record. */
  header: string[];
  /** The records after the header, each with header.length fields. */
  rows: string[][];
  /** The 1-based line on which each row starts, for error messages. */
  rowLines: number[];
}

/** Parses CSV text; `source` (e.g. the file name) starts error messages. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  const records: string[][] = [];
  const recordLines: number[] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  /** Whether anything of the current record has been read (so EOF must end it). */
  let inRecord = false;
  const fail = (at: number, problem: string): DataError =>
    new DataError(`${clip(source)}: line ${at}: ${problem}`);
  const endRecord = (): void => {
    record.push(field);
    records.push(record);
    recordLines.push(recordLine);
    record = [];
    field = '';
    recordLine = line;
    inRecord = false;
  };

  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      if (field !== '') throw fail(line, 'a quote inside an unquoted field');
      const openedAt = line;
      let closed = false;
      // Copied a run at a time (up to the next quote), not a character at a time.
      for (i++; i < text.length;) {
        const q = text.indexOf('"', i);
        const end = q < 0 ? text.length : q;
        const run = text.slice(i, end);
        for (let n = run.indexOf('\n'); n >= 0; n = run.indexOf('\n', n + 1)) line++;
        field += run;
        i = end;
        if (q < 0) break;
        if (text[q + 1] !== '"') {
          closed = true;
          i = q + 1;
          break;
        }
        field += '"';
        i = q + 2;
      }
      if (!closed) throw fail(openedAt, 'unterminated quoted field (no closing quote)');
      const next = text[i];
      const atEnd = next === undefined || next === ',' || next === '\n';
      if (!atEnd && !(next === '\r' && text[i + 1] === '\n')) {
        throw fail(
          line,
          `expected a comma or line end after a closing quote, found ${quote(next)}`,
        );
      }
      inRecord = true;
      continue;
    }
    if (char === ',') {
      record.push(field);
      field = '';
      inRecord = true;
      i++;
    } else if (char === '\n' || (char === '\r' && text[i + 1] === '\n')) {
      i += char === '\r' ? 2 : 1;
      line++;
      endRecord();
    } else {
      // The run up to the next comma, quote or line end (a lone CR is data).
      let end = i + 1;
      while (end < text.length && !isSpecial(text, end)) end++;
      field += text.slice(i, end);
      inRecord = true;
      i = end;
    }
  }
  if (inRecord) endRecord();

  const [header = [], ...rows] = records;
  const rowLines = recordLines.slice(1);
  const firstIndex = new Map<string, number>();
  header.forEach((name, column) => {
    const first = firstIndex.get(name);
    if (first !== undefined) {
      throw fail(
        recordLines[0] ?? 1,
        `column name ${quote(name)} appears twice in the header (columns ${first + 1} and ` +
          `${column + 1}); expected distinct names`,
      );
    }
    firstIndex.set(name, column);
  });
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw fail(
        rowLines[r],
        `expected ${header.length} fields (as in the header), found ${row.length}`,
      );
    }
  });
  return { header, rows, rowLines };
}
