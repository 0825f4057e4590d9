/**
 * How a run records that its training diverged: a scalar `diverged` = 1 at the step where the
 * first non-finite value appeared (in an event file of its own beside the run's, so any
 * TensorBoard consumer sees it), and `diverged.json` with the step and the message. The JSON
 * sidecar carries the words until runs get text summaries.
 */
import { join } from 'node:path';
import { RunWriter } from './run-writer.js';

export const DIVERGED_TAG = 'diverged';
export const DIVERGED_FILE = 'diverged.json';

/** What is recorded: the step and the sentence saying where it began. */
export interface DivergedRecord {
  step: number;
  message: string;
}

/**
 * Marks the run in `outDir/relLogDir` as diverged. `writeFile` writes a file relative to
 * `outDir` (a RunDirectory's, so the sidecar is listed as gradscope's).
 */
export function markDiverged(
  outDir: string,
  relLogDir: string,
  record: DivergedRecord,
  writeFile: (relPath: string, data: string) => void,
): void {
  const writer = new RunWriter(join(outDir, relLogDir));
  try {
    writer.scalar(DIVERGED_TAG, 1, record.step);
  } finally {
    writer.close();
  }
  writeFile(join(relLogDir, DIVERGED_FILE), `${JSON.stringify(record, null, 1)}\n`);
}
