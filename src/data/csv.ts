/**
 * RFC 4180 CSV: records end with CRLF or LF (a lone CR is data); fields are separated by
 * commas; a field in double quotes may hold commas, line breaks and doubled quotes (""),
 * which stand for one quote. A final line break does not start an empty record. Every
 * record must have as many fields as the first one (the header).
 */
import { DataError } from './errors.js';

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
  let i = 0;
  /** Whether anything of the current record has been read (so EOF must end it). */
  let inRecord = false;
  const fail = (at: number, problem: string): DataError =>
    new DataError(`${source}: line ${at}: ${problem}`);
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
      for (i++; i < text.length; i++) {
        if (text[i] === '"') {
          if (text[i + 1] !== '"') {
            closed = true;
            i++;
            break;
          }
          i++;
        } else if (text[i] === '\n') {
          line++;
        }
        field += text[i];
      }
      if (!closed) throw fail(openedAt, 'unterminated quoted field (no closing quote)');
      const next = text[i];
      const atEnd = next === undefined || next === ',' || next === '\n';
      if (!atEnd && !(next === '\r' && text[i + 1] === '\n')) {
        throw fail(line, `expected a comma or line end after a closing quote, found '${next}'`);
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
      field += char;
      inRecord = true;
      i++;
    }
  }
  if (inRecord) endRecord();

  const [header = [], ...rows] = records;
  const rowLines = recordLines.slice(1);
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
