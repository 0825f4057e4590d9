/**
 * Clearing a run directory before it is written again: only TensorBoard event files go (and
 * the folders they leave empty), so a mistyped --out never deletes anything else.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isEventFileName } from './run-index.js';

/** Removes every event file under `dir`, then the folders left empty. Missing `dir`: nothing. */
export async function removeEventFiles(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await removeEventFiles(path);
    else if (entry.isFile() && isEventFileName(entry.name)) await rm(path);
  }
  if ((await readdir(dir)).length === 0) await rmdir(dir);
}
