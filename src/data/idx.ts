/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header — two zero bytes, a type code (0x08 = unsigned byte), the number of
 * dimensions — then one uint32 size per dimension, then the data in row-major order.
 * Files may be gzip-compressed (detected by the magic bytes 1f 8b, not by the name).
 *
 * Reading is bounded by the header: the data bytes stream straight into one array of the
 * declared size, and reading stops at the first chunk that goes past it. A gzip bomb (21 MB
 * that inflate to 5 GB) thus fails after one chunk more than its header says, and a header
 * that declares more than its file can hold fails before anything is allocated.
 */
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { clip } from '../engine/quote.js';
import { DataError } from './errors.js';
import { openRegularFile } from './regular-file.js';

/** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** Bytes per read and per inflated chunk: the most that is read past a declared size. */
export const IDX_CHUNK_BYTES = 1 << 20;
/** Deflate's largest compression ratio (zlib's technical notes: 1032:1). */
const MAX_DEFLATE_RATIO = 1032;

/** What a caller expects of an IDX file. */
export interface IdxArgs {
  /** Expected magic number, IDX_IMAGES_MAGIC or IDX_LABELS_MAGIC. Required. */
  magic: number;
  /** What the data bytes are, for messages ("pixels", "labels"). Defaults to 'data'. */
  content?: string;
  /** Appended to every error, e.g. how to obtain the data. Defaults to none. */
  hint?: string;
  /**
   * Makes the array the data is written into, e.g. on a SharedArrayBuffer that worker
   * threads read without a copy. Defaults to `new Uint8Array(bytes)`.
   */
  allocate?: (bytes: number) => Uint8Array;
}

export interface IdxArray {
  /** Sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The data bytes, in the array `allocate` made. */
  data: Uint8Array;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function withHint(message: string, hint: string | undefined): DataError {
  return new DataError(hint ? `${message}\n${hint}` : message);
}

type Fail = (problem: string) => DataError;

/** What the header declares, checked before the data array is made. */
type CheckDeclared = (expected: number, declared: string) => void;

/**
 * Collects the bytes of an IDX file, chunk by chunk, into the array its header asks for;
 * throws (through `fail`) as soon as the bytes contradict the header.
 */
function idxCollector(args: IdxArgs, fail: Fail, checkDeclared: CheckDeclared) {
  const headerBytes = 4 + 4 * (args.magic & 0xff);
  const header = new Uint8Array(headerBytes);
  const view = new DataView(header.buffer);
  let filled = 0;
  let dims: number[] = [];
  let declared = '';
  let data: Uint8Array | undefined;
  let written = 0;

  const readHeader = (): Uint8Array => {
    dims = Array.from({ length: (headerBytes - 4) / 4 }, (_, i) => view.getUint32(4 + 4 * i));
    const expected = dims.reduce((product, dim) => product * dim, 1);
    declared = `header says ${dims.join('×')} = ${expected} bytes of ${args.content ?? 'data'}`;
    checkDeclared(expected, declared);
    try {
      return (args.allocate ?? ((bytes: number) => new Uint8Array(bytes)))(expected);
    } catch (error) {
      throw fail(`${declared}, which cannot be allocated (${(error as Error).message})`);
    }
  };

  return {
    push(chunk: Uint8Array): void {
      let offset = 0;
      if (data === undefined) {
        offset = Math.min(headerBytes - filled, chunk.length);
        header.set(chunk.subarray(0, offset), filled);
        const before = filled;
        filled += offset;
        if (before < 4 && filled >= 4 && view.getUint32(0) !== args.magic) {
          throw fail(
            `bad magic number: expected ${hex(args.magic)}, found ${hex(view.getUint32(0))}`,
          );
        }
        if (filled < headerBytes) return;
        data = readHeader();
      }
      const rest = chunk.length - offset;
      if (written + rest > data.length) {
        throw fail(
          `larger than its header says: ${declared}, the data goes on past ` +
            `${written + rest} bytes (reading stopped there)`,
        );
      }
      data.set(chunk.subarray(offset), written);
      written += rest;
    },
    finish(): IdxArray {
      if (filled < 4) throw fail(`not an IDX file: only ${filled} bytes`);
      if (data === undefined) {
        throw fail(`truncated header: expected ${headerBytes} bytes, file has ${filled}`);
      }
      if (written < data.length) throw fail(`truncated: ${declared}, file has ${written}`);
      return { dims, data };
    },
  };
}

/**
 * Reads an IDX file, gzip-compressed or not, checking the magic number and that the data
 * matches the header. Only regular files are read (so /dev/zero is refused). Throws a
 * DataError that starts with the path.
 */
export async function readIdxFile(path: string, args: IdxArgs): Promise<IdxArray> {
  const fail: Fail = (problem) => withHint(`${clip(path)}: ${problem}`, args.hint);
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path, 'the IDX file');
  } catch (error) {
    throw withHint((error as Error).message, args.hint);
  }
  const { handle, size } = opened;
  let gzip = false;
  let stopped: unknown;
  try {
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    gzip = size >= 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    const collector = idxCollector(args, fail, (expected, declared) => {
      const headerBytes = 4 + 4 * (args.magic & 0xff);
      if (!gzip && size - headerBytes !== expected) {
        const found = size - headerBytes;
        throw fail(
          found < expected
            ? `truncated: ${declared}, file has ${found}`
            : `larger than its header says: ${declared}, file has ${found}`,
        );
      }
      if (gzip && expected > size * MAX_DEFLATE_RATIO) {
        throw fail(`truncated: ${declared}, more than a gzip file of ${size} bytes can hold`);
      }
    });
    if (size > 0) {
      const file = handle.createReadStream({
        start: 0,
        end: size - 1,
        highWaterMark: IDX_CHUNK_BYTES,
        autoClose: false,
      });
      const collect = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
        try {
          for await (const chunk of chunks) collector.push(chunk);
        } catch (error) {
          // The pipeline reports its own AbortError when the consumer stops; keep the cause.
          stopped = error;
          throw error;
        }
      };
      if (gzip) await pipeline(file, createGunzip({ chunkSize: IDX_CHUNK_BYTES }), collect);
      else await pipeline(file, collect);
    }
    return collector.finish();
  } catch (error) {
    if (stopped instanceof DataError) throw stopped;
    if (error instanceof DataError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const message = clip((error as Error).message);
    throw fail(
      gzip && code.startsWith('Z_') ? `corrupt gzip data (${message})` : `cannot read: ${message}`,
    );
  } finally {
    await handle.close();
  }
}
