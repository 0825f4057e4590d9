/**
 * Peak memory of the seed job, `node dist/src/cli.js seed` (what `npm start` runs): the
 * maximum resident set size of the whole process over its life, worker threads included
 * (getrusage), written by a preload module as the process exits. The job writes into a
 * temporary directory, removed afterwards.
 *
 * Usage: node dist/bench/memory.js   (prints { "seedPeakRssMiB": …, "seconds": … })
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SeedMemory {
  /** Maximum resident set size, MiB (2^20 bytes). */
  seedPeakRssMiB: number;
  /** Wall-clock seconds of the job. */
  seconds: number;
}

const PEAK_FILE_ENV = 'GRADSCOPE_BENCH_PEAK_RSS_FILE';

/** Preloaded into the job: at exit, its maximum RSS in KiB goes to the file named above. */
const PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      `process.on('exit', () => writeFileSync(process.env.${PEAK_FILE_ENV}, ` +
      'String(process.resourceUsage().maxRSS)));',
  );

/** Runs the seed job once and returns its peak RSS. Throws if the job fails. */
export function measureSeedMemory(): SeedMemory {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-memory-'));
  const peakFile = join(dir, 'peak-rss-kib');
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  try {
    const started = performance.now();
    const job = spawnSync(
      process.execPath,
      ['--import', PRELOAD, cli, 'seed', '--out', join(dir, 'run')],
      { env: { ...process.env, [PEAK_FILE_ENV]: peakFile }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const seconds = (performance.now() - started) / 1000;
    if (job.status !== 0) {
      throw new Error(`seed job failed (exit ${job.status}): ${String(job.stderr).slice(-2000)}`);
    }
    return { seedPeakRssMiB: Number(readFileSync(peakFile, 'utf8')) / 1024, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(measureSeedMemory()));
}
