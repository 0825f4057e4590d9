/**
 * TFRecord framing, the container of TensorBoard event files.
 *
 * A file is a sequence of records, each laid out as
 *
 *   uint64 LE  length of data (n)
 *   uint32 LE  masked CRC32C of the 8 length bytes
 *   n bytes    data (here: one serialized Event)
 *   uint32 LE  masked CRC32C of the data
 *
 * with mask(crc) = rotateRight(crc, 15) + 0xa282ead8 (mod 2^32), so a record holding CRCs is
 * not itself trivially CRC-consistent. There is no file header or trailer; an empty file holds
 * zero records. Edge cases when scanning:
 * - fewer bytes left than a whole record (writer still writing, or killed mid-write):
 *   truncated; scanning stops before that record, and a reader may come back once it grew;
 * - bad length CRC: the record boundaries after it are unknowable, so scanning stops;
 * - bad data CRC: the length is trusted, so that record alone is skipped.
 */
import { crc32c } from './crc32c.js';
import { BAD_DATA_CRC, checkWindow, SCALAR } from './record-check.js';

const LENGTH_BYTES = 8;
const HEADER_BYTES = LENGTH_BYTES + 4;
const FOOTER_BYTES = 4;
const MASK_DELTA = 0xa282ead8;

/** CRC32C of `data`, masked the way TFRecord stores it. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  const crc = crc32c(data, start, end);
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** Bytes a record adds around its data: the header before it, the footer after. */
export const RECORD_HEADER_BYTES = HEADER_BYTES;
export const RECORD_FOOTER_BYTES = FOOTER_BYTES;

/**
 * Frames the `dataLength` bytes at `bytes[start + RECORD_HEADER_BYTES, …)` as one TFRecord in
 * place: fills the header before them and the footer after (`view` is over `bytes.buffer`).
 */
export function frameRecord(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  dataLength: number,
): void {
  const at = bytes.byteOffset + start;
  view.setUint32(at, dataLength >>> 0, true);
  view.setUint32(at + 4, Math.floor(dataLength / 2 ** 32), true);
  view.setUint32(at + LENGTH_BYTES, maskedCrc32c(bytes, start, start + LENGTH_BYTES), true);
  const dataStart = start + HEADER_BYTES;
  const crc = maskedCrc32c(bytes, dataStart, dataStart + dataLength);
  view.setUint32(at + HEADER_BYTES + dataLength, crc, true);
}

/** Frames `data` as one TFRecord: header, data, footer. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  record.set(data, HEADER_BYTES);
  frameRecord(record, new DataView(record.buffer), 0, data.length);
  return record;
}

/** One record found by `scanRecords`. */
export interface RawRecord {
  /** Byte offset of the record's header in the file. */
  offset: number;
  /** The record's data, a view into the scanned bytes. */
  data: Uint8Array;
}

/** A problem found while scanning, located by the offset of the record's header. */
export interface RecordProblem {
  offset: number;
  message: string;
}

/** What scanning found besides the records themselves. */
export interface RecordProblems {
  /** Records skipped because their data CRC did not match. */
  skipped: RecordProblem[];
  /** Why scanning stopped before the end of the bytes (truncation or bad length CRC). */
  stopped?: RecordProblem;
  /** Whether it stopped because the bytes ended mid-record (more bytes may complete it). */
  truncated?: true;
  /** File offset just past the last whole record (kept or skipped): where to resume. */
  end: number;
}

export interface RecordScan extends RecordProblems {
  /** Whole records whose CRCs both match, in file order. */
  records: RawRecord[];
}

/**
 * Called for each whole record whose CRCs both match, with the file offset of its header and
 * where its data lies in the scanned bytes: no view is made, so a reader of a million records
 * allocates nothing per record here.
 */
export type RecordVisitor = (offset: number, dataStart: number, dataEnd: number) => void;

/**
 * Called instead of the RecordVisitor for an intact record that holds one scalar in one of
 * the two forms nearly every scalar record takes (assembly/records.ts `readScalarEvent`):
 * its tag's bytes at `bytes[tagStart, tagEnd)`, its step, wall time and value, decoded.
 */
export type ScalarRecordVisitor = (
  offset: number,
  dataStart: number,
  dataEnd: number,
  tagStart: number,
  tagEnd: number,
  step: number,
  wallTime: number,
  value: number,
) => void;

/**
 * Splits `bytes` into records, passing each intact one to `visit`, or to `visitScalar` when
 * given and the record is a plain scalar event. `baseOffset` is the file offset of `bytes[0]`,
 * so offsets in the result are file offsets when scanning resumes mid-file. Never throws on
 * malformed input (a visitor may throw; that ends the scan). Visitors must not scan records
 * themselves: the entries they are called from are reused.
 *
 * Records are checked a window at a time in WebAssembly (record-check.ts); the record where a
 * window's check stops (a damaged or truncated one, or one longer than a window) is looked at
 * here, so every problem is found and worded in one place.
 */
export function visitRecords(
  bytes: Uint8Array,
  baseOffset: number,
  visit: RecordVisitor,
  visitScalar?: ScalarRecordVisitor,
): RecordProblems {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scan: RecordProblems = { skipped: [], end: baseOffset };
  let pos = 0;
  while (pos < bytes.length) {
    const { count, ints, floats } = checkWindow(bytes, pos, bytes.length);
    for (let k = 0; k < count; k++) {
      const offset = baseOffset + pos + ints[12 * k];
      const dataStart = pos + ints[12 * k] + HEADER_BYTES;
      const dataEnd = dataStart + ints[12 * k + 1];
      const status = ints[12 * k + 2];
      if (status === SCALAR && visitScalar !== undefined) {
        const tagStart = pos + ints[12 * k + 3];
        const tagEnd = pos + ints[12 * k + 4];
        const step = floats[6 * k + 3];
        const wallTime = floats[6 * k + 4];
        const value = floats[6 * k + 5];
        visitScalar(offset, dataStart, dataEnd, tagStart, tagEnd, step, wallTime, value);
      } else if (status !== BAD_DATA_CRC) visit(offset, dataStart, dataEnd);
      else scan.skipped.push(badDataCrc(offset, view, dataEnd));
    }
    if (count > 0) {
      const last = 12 * (count - 1);
      pos += ints[last] + HEADER_BYTES + ints[last + 1] + FOOTER_BYTES;
      scan.end = baseOffset + pos;
      continue;
    }
    const next = visitRecord(bytes, view, pos, baseOffset, visit, scan);
    if (next === undefined) break;
    pos = next;
    scan.end = baseOffset + pos;
  }
  return scan;
}

/**
 * Checks the one record at `bytes[pos]` and visits it when intact; returns the position after
 * it, or undefined when scanning stops there (`scan.stopped` says why).
 */
function visitRecord(
  bytes: Uint8Array,
  view: DataView,
  pos: number,
  baseOffset: number,
  visit: RecordVisitor,
  scan: RecordProblems,
): number | undefined {
  const offset = baseOffset + pos;
  const remaining = bytes.length - pos;
  if (remaining < HEADER_BYTES) {
    scan.stopped = truncated(offset, 'record header', HEADER_BYTES, remaining);
    scan.truncated = true;
    return undefined;
  }
  const lengthCrc = view.getUint32(pos + LENGTH_BYTES, true);
  if (maskedCrc32c(bytes, pos, pos + LENGTH_BYTES) !== lengthCrc) {
    scan.stopped = { offset, message: `bad length CRC ${hex(lengthCrc)}; reading stops here` };
    return undefined;
  }
  // Lengths beyond 2^53 cannot fit in memory anyway; they read as truncated.
  const dataLength = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
  const recordLength = HEADER_BYTES + dataLength + FOOTER_BYTES;
  if (remaining < recordLength) {
    scan.stopped = truncated(offset, 'record', recordLength, remaining);
    scan.truncated = true;
    return undefined;
  }
  const dataStart = pos + HEADER_BYTES;
  const dataEnd = dataStart + dataLength;
  if (maskedCrc32c(bytes, dataStart, dataEnd) === view.getUint32(dataEnd, true)) {
    visit(offset, dataStart, dataEnd);
  } else {
    scan.skipped.push(badDataCrc(offset, view, dataEnd));
  }
  return pos + recordLength;
}

function badDataCrc(offset: number, view: DataView, dataEnd: number): RecordProblem {
  return { offset, message: `bad data CRC ${hex(view.getUint32(dataEnd, true))}; record skipped` };
}

/** `visitRecords`, collecting the records as views into `bytes`. */
export function scanRecords(bytes: Uint8Array, baseOffset = 0): RecordScan {
  const records: RawRecord[] = [];
  const problems = visitRecords(bytes, baseOffset, (offset, start, end) => {
    records.push({ offset, data: bytes.subarray(start, end) });
  });
  return { records, ...problems };
}

function truncated(
  offset: number,
  part: string,
  expected: number,
  received: number,
): RecordProblem {
  return {
    offset,
    message: `truncated ${part}: expected ${expected} bytes, received ${received} before the end`,
  };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
