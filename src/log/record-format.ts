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
import { crc32c } from '@aws-crypto/crc32c';

const LENGTH_BYTES = 8;
const HEADER_BYTES = LENGTH_BYTES + 4;
const FOOTER_BYTES = 4;
const MASK_DELTA = 0xa282ead8;

/** CRC32C of `data`, masked the way TFRecord stores it. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** Frames `data` as one TFRecord: header, data, footer. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(LENGTH_BYTES, maskedCrc32c(record.subarray(0, LENGTH_BYTES)), true);
  record.set(data, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + data.length, maskedCrc32c(data), true);
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

export interface RecordScan {
  /** Whole records whose CRCs both match, in file order. */
  records: RawRecord[];
  /** Records skipped because their data CRC did not match. */
  skipped: RecordProblem[];
  /** Why scanning stopped before the end of the bytes (truncation or bad length CRC). */
  stopped?: RecordProblem;
  /** File offset just past the last whole record (kept or skipped): where to resume. */
  end: number;
}

/**
 * Splits `bytes` into records. `baseOffset` is the file offset of `bytes[0]`, so offsets in the
 * result are file offsets when scanning resumes mid-file. Never throws on malformed input.
 */
export function scanRecords(bytes: Uint8Array, baseOffset = 0): RecordScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scan: RecordScan = { records: [], skipped: [], end: baseOffset };
  let pos = 0;
  while (pos < bytes.length) {
    const offset = baseOffset + pos;
    const remaining = bytes.length - pos;
    if (remaining < HEADER_BYTES) {
      scan.stopped = truncated(offset, 'record header', HEADER_BYTES, remaining);
      break;
    }
    const lengthBytes = bytes.subarray(pos, pos + LENGTH_BYTES);
    const lengthCrc = view.getUint32(pos + LENGTH_BYTES, true);
    if (maskedCrc32c(lengthBytes) !== lengthCrc) {
      scan.stopped = { offset, message: `bad length CRC ${hex(lengthCrc)}; reading stops here` };
      break;
    }
    // Lengths beyond 2^53 cannot fit in memory anyway; they read as truncated.
    const dataLength = Number(view.getBigUint64(pos, true));
    const recordLength = HEADER_BYTES + dataLength + FOOTER_BYTES;
    if (remaining < recordLength) {
      scan.stopped = truncated(offset, 'record', recordLength, remaining);
      break;
    }
    const data = bytes.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + dataLength);
    const dataCrc = view.getUint32(pos + HEADER_BYTES + dataLength, true);
    if (maskedCrc32c(data) === dataCrc) {
      scan.records.push({ offset, data });
    } else {
      scan.skipped.push({ offset, message: `bad data CRC ${hex(dataCrc)}; record skipped` });
    }
    pos += recordLength;
    scan.end = baseOffset + pos;
  }
  return scan;
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
