/**
 * Opening data files: only regular files (after following symlinks) are read, so `/dev/zero`,
 * a FIFO or a symlink to one is refused at once instead of read for ever, and no more bytes
 * are read than the file had when it was opened.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { clip } from '../engine/quote.js';
import { DataError } from './errors.js';

/** Non-blocking, so that opening a FIFO without a writer returns and can be refused. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function cannotRead(path: string, what: string, reason: string): DataError {
  return new DataError(`${clip(path)}: cannot read ${what}: ${reason}`);
}

function openFailure(path: string, what: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message;
  return cannotRead(path, what, reason);
}

function checkRegular(stats: Stats, path: string, what: string): void {
  if (!stats.isFile()) {
    throw cannotRead(path, what, `expected a regular file, found ${kindOf(stats)}`);
  }
}

/**
 * Reads a whole regular file. `what` names the data for messages ("the Titanic data"):
 * "<path>: cannot read <what>: file not found". Throws a DataError.
 */
export function readRegularFileSync(path: string, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(path, what, error);
  }
  try {
    const stats = fstatSync(fd);
    checkRegular(stats, path, what);
    const bytes = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      const read = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return bytes.subarray(0, filled);
  } catch (error) {
    throw error instanceof DataError ? error : openFailure(path, what, error);
  } finally {
    closeSync(fd);
  }
}

/** Opens a regular file for streaming; the caller closes `handle`. Throws a DataError. */
export async function openRegularFile(
  path: string,
  what: string,
): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(path, what, error);
  }
  try {
    const stats = await handle.stat();
    checkRegular(stats, path, what);
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error instanceof DataError ? error : openFailure(path, what, error);
  }
}
