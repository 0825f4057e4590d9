/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header — two zero bytes, a type code (0x08 = unsigned byte), the number of
 * dimensions — then one uint32 size per dimension, then the data in row-major order.
 * Files may be gzip-compressed (detected by the magic bytes 1f 8b, not by the name).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from './errors.js';

/** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** What a caller expects of an IDX file. */
export interface IdxArgs {
  /** Expected magic number, IDX_IMAGES_MAGIC or IDX_LABELS_MAGIC. Required. */
  magic: number;
  /** What the data bytes are, for messages ("pixels", "labels"). Defaults to 'data'. */
  content?: string;
  /** Appended to every error, e.g. how to obtain the data. Defaults to none. */
  hint?: string;
}

export interface IdxArray {
  /** Sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The data bytes, a view on the (decompressed) file without copying. */
  data: Uint8Array;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function withHint(message: string, hint: string | undefined): DataError {
  return new DataError(hint ? `${message}\n${hint}` : message);
}

/**
 * Parses IDX bytes, checking the magic number and that the length matches the header.
 * `name` (usually the file name) starts every error message.
 */
export function parseIdx(bytes: Uint8Array, name: string, args: IdxArgs): IdxArray {
  const fail = (problem: string): DataError => withHint(`${name}: ${problem}`, args.hint);
  let raw = bytes;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (error) {
      throw fail(`corrupt gzip data (${(error as Error).message})`);
    }
  }
  if (raw.length < 4) throw fail(`not an IDX file: only ${raw.length} bytes`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  if (magic !== args.magic) {
    throw fail(`bad magic number: expected ${hex(args.magic)}, found ${hex(magic)}`);
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) {
    throw fail(`truncated header: expected ${headerBytes} bytes, file has ${raw.length}`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((product, dim) => product * dim, 1);
  const found = raw.length - headerBytes;
  if (found !== expected) {
    const what = found < expected ? 'truncated' : 'too long';
    const content = args.content ?? 'data';
    throw fail(
      `${what}: header says ${dims.join('×')} = ${expected} bytes of ${content}, file has ${found}`,
    );
  }
  // A plain Uint8Array view (not a Buffer), so callers see exactly the declared type.
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + headerBytes, expected) };
}

/** Reads and parses an IDX file, gzip-compressed or not. */
export function readIdxFile(path: string, args: IdxArgs): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw withHint(`${path}: cannot read: ${reason}`, args.hint);
  }
  return parseIdx(bytes, path, args);
}
