/**
 * `npm run bench -- --grid`: seconds per epoch of the grid model (grid-model.ts: relu, Adam)
 * for units 32/256/1024 × batch 32/128/512, beside PyTorch on one core when
 * `python3 -c 'import torch'` works. Each cell runs in a fresh process (grid-epoch.ts,
 * pytorch_grid.py) on a subset of the 60,000 training images, sized to a few seconds of work,
 * and is scaled to a full epoch; the figures are CPU seconds of the training process, the median
 * of the timed epochs, because the machine is shared.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GridCell } from './grid-epoch.js';
import { productFlops, stepProducts } from './grid-model.js';

export const EPOCH_SAMPLES = 60000;
export const GRID_UNITS = [32, 256, 1024] as const;
export const GRID_BATCHES = [32, 128, 512] as const;
/** FLOPs of matrix products per timed subset epoch: about a second at 20–50 GFLOP/s. */
const SUBSET_FLOPS = 2e10;
/** At least this many steps per timed epoch, so per-epoch costs do not dominate. */
const MIN_STEPS = 8;

/** One row of `--json`'s `grid`. */
export interface GridRow {
  units: number;
  batch: number;
  /** gradscope, CPU seconds per 60,000-image epoch (scaled from `samples`). */
  secondsPerEpoch: number;
  /** gradscope end to end: matrix-product FLOPs over the step's CPU time, in GFLOP/s. */
  gflops: number;
  /** The matrix products alone, each timed on its shape, in GFLOP/s. */
  kernelGflops: number;
  /** Share of the step outside the matrix products (JS glue and elementwise kernels). */
  outsideProducts: number;
  /** PyTorch on one core, CPU seconds per epoch; null when torch is not importable. */
  pytorchSecondsPerEpoch: number | null;
  samples: number;
}

/** Images per timed epoch: a whole number of batches, ≥ MIN_STEPS of them, ≤ 60,000. */
export function subsetSamples(units: number, batch: number): number {
  const flopsPerBatch = productFlops(stepProducts(units, batch));
  const steps = Math.max(MIN_STEPS, Math.round(SUBSET_FLOPS / flopsPerBatch));
  return Math.min(Math.floor(EPOCH_SAMPLES / batch), steps) * batch;
}

/** Debian's python3 (where python3-torch installs), else the first python3 on the PATH. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

/** The first interpreter that can `import torch`, or null. */
function python(): string | null {
  for (const interpreter of PYTHONS) {
    try {
      execFileSync(interpreter, ['-c', 'import torch'], { stdio: 'ignore' });
      return interpreter;
    } catch {
      // Not there, or no torch: try the next.
    }
  }
  return null;
}

export interface GridArgs {
  /** Timed epochs per cell. Defaults to 3. */
  repeats?: number;
  /** Run gradscope's products on the relaxed-SIMD build (GRADSCOPE_RELAXED_SIMD=1). Defaults to false. */
  relaxed?: boolean;
  /** Also time PyTorch where it can be imported. Defaults to true. */
  pytorch?: boolean;
}

export function runGrid(
  progress: (line: string) => void,
  { repeats = 3, relaxed = false, pytorch = true }: GridArgs = {},
): { rows: GridRow[]; pytorch: string | null } {
  const cells = GRID_UNITS.flatMap((units) =>
    GRID_BATCHES.map((batch) => ({ units, batch, samples: subsetSamples(units, batch) })),
  );
  const epochScript = fileURLToPath(new URL('./grid-epoch.js', import.meta.url));
  const gradscope = cells.map(({ units, batch, samples }) => {
    progress(`gradscope units ${units} batch ${batch}: ${samples} images × ${repeats}…`);
    const out = execFileSync(
      process.execPath,
      [epochScript, String(units), String(batch), String(samples), String(repeats)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, GRADSCOPE_RELAXED_SIMD: relaxed ? '1' : '0' },
      },
    );
    return JSON.parse(out.trim().split('\n').pop()!) as GridCell;
  });
  const interpreter = pytorch ? python() : null;
  let torch: Map<string, number> | null = null;
  if (!pytorch) {
    progress('PyTorch: not asked for (--no-pytorch)');
  } else if (interpreter === null) {
    progress("PyTorch: skipped (python3 -c 'import torch' fails)");
  } else {
    progress('PyTorch (1 thread, OPENBLAS_NUM_THREADS=1): the same cells…');
    // The peer script lives in bench/, beside this file's TypeScript source.
    const script = fileURLToPath(new URL('../../bench/pytorch_grid.py', import.meta.url));
    const args = cells.map(({ units, batch, samples }) => `${units},${batch},${samples}`);
    const out = execFileSync(interpreter, [script, ...args, '--repeats', String(repeats)], {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    torch = new Map(
      out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { units: number; batch: number; stepCpuSeconds: number })
        .map((cell) => [`${cell.units},${cell.batch}`, cell.stepCpuSeconds]),
    );
  }
  const rows = gradscope.map((cell): GridRow => {
    const stepsPerEpoch = EPOCH_SAMPLES / cell.batch;
    const torchStep = torch?.get(`${cell.units},${cell.batch}`);
    return {
      units: cell.units,
      batch: cell.batch,
      secondsPerEpoch: cell.stepCpuSeconds * stepsPerEpoch,
      gflops: cell.stepFlops / cell.stepCpuSeconds / 1e9,
      kernelGflops: cell.stepFlops / cell.productSeconds / 1e9,
      outsideProducts: 1 - cell.productSeconds / cell.stepCpuSeconds,
      pytorchSecondsPerEpoch: torchStep === undefined ? null : torchStep * stepsPerEpoch,
      samples: cell.samples,
    };
  });
  return { rows, pytorch: interpreter };
}

export function printGrid(
  rows: readonly GridRow[],
  { repeats = 3, relaxed = false }: GridArgs,
): void {
  console.log(
    `\nGrid model (relu, Adam), CPU seconds per 60,000-image epoch: median of ${repeats} ` +
      'epochs on the subset shown, scaled to 60,000. gradscope products: ' +
      (relaxed ? 'relaxed SIMD (fused multiply-add).' : '128-bit SIMD.'),
  );
  console.log(
    '| units | batch | images timed | gradscope s | PyTorch 1 core s | PyTorch ÷ gradscope |' +
      ' GFLOP/s end to end | GFLOP/s products alone | share outside products |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const torch = r.pytorchSecondsPerEpoch;
    console.log(
      `| ${r.units} | ${r.batch} | ${r.samples} | ${r.secondsPerEpoch.toFixed(2)} | ` +
        `${torch === null ? '–' : torch.toFixed(2)} | ` +
        `${torch === null ? '–' : (torch / r.secondsPerEpoch).toFixed(2)} | ` +
        `${r.gflops.toFixed(1)} | ${r.kernelGflops.toFixed(1)} | ` +
        `${(100 * r.outsideProducts).toFixed(0)}% |`,
    );
  }
}
