/**
 * `npm run bench -- --grid`: seconds per epoch of the grid model (grid-model.ts: relu, Adam)
 * for units 32/256/1024 × batch 32/128/512, beside PyTorch on one core when
 * `python3 -c 'import torch'` works. Each cell runs in a fresh process (grid-epoch.ts,
 * pytorch_grid.py) on a subset of the 60,000 training images (at least MIN_STEPS batches and
 * SUBSET_FLOPS of products), and the median of the timed epochs is scaled to a full epoch; the
 * table says how many images were timed. A cell's runs go back to back, so that gradscope and
 * PyTorch are compared under the same load on a shared machine. Each gradscope cell runs twice:
 * on one thread (GRADSCOPE_THREADS=1), timed in CPU seconds of the process because the machine
 * is shared, and with the products split where it pays (GRADSCOPE_THREADS=auto), timed in wall
 * seconds because its CPU seconds count both threads. PyTorch runs on one core, timed in CPU
 * seconds, with the BLAS library it loaded reported beside it, and its products too are timed
 * alone on the step's shapes, so that each side's end-to-end GFLOP/s stands beside its products'.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NATIVE_MIN_FLOPS } from '../src/engine/kernels/native.js';
import { BUSY_PRESSURE, type ThreadSetting } from '../src/engine/kernels/threads.js';
import type { GridCell } from './grid-epoch.js';
import type { KernelShares } from './kernel-shares.js';
import { median } from '../src/engine/statistics.js';
import { productFlops, stepProducts } from './grid-model.js';

export const EPOCH_SAMPLES = 60000;
export const GRID_UNITS = [32, 256, 1024] as const;
export const GRID_BATCHES = [32, 128, 512] as const;
/** FLOPs of matrix products per timed subset epoch: about two seconds at 20–40 GFLOP/s. */
const SUBSET_FLOPS = 4e10;
/**
 * At least this many steps per timed epoch, so per-epoch costs do not dominate and one slow
 * step (a collection, another process taking the core) moves the figure by a few % at most:
 * with 8 steps the wide cells' two-thread times varied by up to 1.7× between runs.
 */
const MIN_STEPS = 16;

/** The fields of a cell's epoch figures that a run reports as they are. */
type CellCounts = Pick<
  GridCell,
  | 'threads'
  | 'productPath'
  | 'splitProducts'
  | 'products'
  | 'splitWhileTimed'
  | 'helperPieces'
  | 'loadAverage'
  | 'cpuPressure'
  | 'timeBasis'
>;

/** gradscope's figures for one cell at one thread setting (GridCell's, and derived ones). */
export interface GridRun extends CellCounts {
  /** Seconds per 60,000-image epoch (scaled from `samples`), on `timeBasis`. */
  secondsPerEpoch: number;
  /** The same on the wall clock, whatever `timeBasis` is. */
  wallSecondsPerEpoch: number;
  /** The same in CPU seconds of the process (both threads' when split), whatever `timeBasis` is. */
  cpuSecondsPerEpoch: number;
  /** End to end: matrix-product FLOPs over the step's time, in GFLOP/s. */
  gflops: number;
  /** The matrix products alone, each timed on its shape, in GFLOP/s. */
  kernelGflops: number;
  /** Share of the step outside the matrix products (JS glue and elementwise kernels). */
  outsideProducts: number;
  /** One more epoch's wall time in the kernels and in JavaScript glue, timed in place. */
  inPlace: KernelShares;
}

/** One row of `--json`'s `grid`: the one-thread figures at the top level, as before threads. */
export interface GridRow extends GridRun {
  units: number;
  batch: number;
  /** The same cell with GRADSCOPE_THREADS=auto (or 2: --threads 2); null with --threads 1. */
  twoThreads: GridRun | null;
  /** PyTorch on one core, CPU seconds per epoch; null when torch is not importable. */
  pytorchSecondsPerEpoch: number | null;
  /** The same on the wall clock. */
  pytorchWallSecondsPerEpoch: number | null;
  /** PyTorch end to end: the step's matrix-product FLOPs over its step's CPU time, in GFLOP/s. */
  pytorchGflops: number | null;
  /** PyTorch's products alone, each timed on its shape (pytorch_grid.py), in GFLOP/s. */
  pytorchKernelGflops: number | null;
  samples: number;
}

/** The PyTorch peer: the interpreter and the BLAS library torch loaded. */
export interface PytorchPeer {
  python: string;
  torch: string;
  /** The shared library torch's matrix products went to, read from /proc/self/maps. */
  blas: string;
  /** Whether `blas` is OpenBLAS; Debian's fallback, the reference BLAS, is ~9× slower. */
  openblas: boolean;
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
  /** Keep every product in WebAssembly (GRADSCOPE_NATIVE=0). Defaults to false: native where built. */
  wasm?: boolean;
  /** Also time PyTorch where it can be imported. Defaults to true. */
  pytorch?: boolean;
  /**
   * The second run of each cell: GRADSCOPE_THREADS=auto (two threads where it pays and the
   * cores are free), 2 (every product split), or null for none. Defaults to 'auto'.
   */
  twoThreads?: Exclude<ThreadSetting, 1> | null;
  /** Only these cells, as "units×batch" keys ("256x128"). Defaults to the whole grid. */
  cells?: readonly string[];
}

/** The "units×batch" key of a cell, as `--cells` takes it. */
export function cellKey(units: number, batch: number): string {
  return `${units}x${batch}`;
}

function runCell(
  units: number,
  batch: number,
  samples: number,
  {
    repeats,
    relaxed,
    wasm,
    threads,
  }: { repeats: number; relaxed: boolean; wasm: boolean; threads: ThreadSetting },
): GridRun {
  const epochScript = fileURLToPath(new URL('./grid-epoch.js', import.meta.url));
  const out = execFileSync(
    process.execPath,
    [epochScript, String(units), String(batch), String(samples), String(repeats)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        GRADSCOPE_RELAXED_SIMD: relaxed ? '1' : '0',
        GRADSCOPE_NATIVE: wasm ? '0' : 'auto',
        GRADSCOPE_THREADS: String(threads),
      },
    },
  );
  const cell = JSON.parse(out.trim().split('\n').pop()!) as GridCell;
  return {
    threads: cell.threads,
    productPath: cell.productPath,
    splitProducts: cell.splitProducts,
    products: cell.products,
    splitWhileTimed: cell.splitWhileTimed,
    helperPieces: cell.helperPieces,
    loadAverage: cell.loadAverage,
    cpuPressure: cell.cpuPressure,
    timeBasis: cell.timeBasis,
    secondsPerEpoch: (cell.stepSeconds * EPOCH_SAMPLES) / batch,
    wallSecondsPerEpoch: (median(cell.wallSeconds) * EPOCH_SAMPLES) / cell.samples,
    cpuSecondsPerEpoch: (median(cell.cpuSeconds) * EPOCH_SAMPLES) / cell.samples,
    gflops: cell.stepFlops / cell.stepSeconds / 1e9,
    kernelGflops: cell.stepFlops / cell.productSeconds / 1e9,
    outsideProducts: 1 - cell.productSeconds / cell.stepSeconds,
    inPlace: cell.inPlace,
  };
}

interface TorchCell {
  units: number;
  batch: number;
  samples: number;
  wallSeconds: number[];
  stepCpuSeconds: number;
  productCpuSeconds: number;
  torch: string;
  blas: string;
}

/** One PyTorch cell in a fresh interpreter (bench/pytorch_grid.py), on one core. */
function runTorchCell(
  interpreter: string,
  { units, batch, samples }: { units: number; batch: number; samples: number },
  repeats: number,
): TorchCell {
  // The peer script lives in bench/, beside this file's TypeScript source.
  const script = fileURLToPath(new URL('../../bench/pytorch_grid.py', import.meta.url));
  const out = execFileSync(
    interpreter,
    [script, `${units},${batch},${samples}`, '--repeats', String(repeats)],
    {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as TorchCell;
}

/**
 * Runs the chosen cells one after another, each cell's three runs (gradscope on 1 thread, on
 * `twoThreads`, PyTorch) back to back, so that the figures compared were taken under the same
 * load on a shared machine.
 */
export function runGrid(
  progress: (line: string) => void,
  {
    repeats = 3,
    relaxed = false,
    wasm = false,
    pytorch = true,
    twoThreads = 'auto',
    cells,
  }: GridArgs = {},
): { rows: GridRow[]; pytorch: PytorchPeer | null } {
  const chosen = GRID_UNITS.flatMap((units) =>
    GRID_BATCHES.map((batch) => ({ units, batch, samples: subsetSamples(units, batch) })),
  ).filter(({ units, batch }) => cells === undefined || cells.includes(cellKey(units, batch)));
  const interpreter = pytorch ? python() : null;
  if (!pytorch) progress('PyTorch: not asked for (--no-pytorch)');
  else if (interpreter === null) progress("PyTorch: skipped (python3 -c 'import torch' fails)");
  const torchCells: TorchCell[] = [];
  const rows = chosen.map((cell): GridRow => {
    const { units, batch, samples } = cell;
    progress(`gradscope units ${units} batch ${batch}, 1 thread: ${samples} images × ${repeats}…`);
    const one = runCell(units, batch, samples, { repeats, relaxed, wasm, threads: 1 });
    let auto: GridRun | null = null;
    if (twoThreads !== null) {
      progress(`gradscope units ${units} batch ${batch}, threads ${twoThreads}…`);
      auto = runCell(units, batch, samples, { repeats, relaxed, wasm, threads: twoThreads });
    }
    let torch: TorchCell | null = null;
    if (interpreter !== null) {
      progress(`PyTorch units ${units} batch ${batch} (1 thread, OPENBLAS_NUM_THREADS=1)…`);
      torch = runTorchCell(interpreter, cell, repeats);
      torchCells.push(torch);
    }
    const stepFlops = productFlops(stepProducts(units, batch));
    return {
      units,
      batch,
      ...one,
      twoThreads: auto,
      pytorchGflops: torch === null ? null : stepFlops / torch.stepCpuSeconds / 1e9,
      pytorchKernelGflops: torch === null ? null : stepFlops / torch.productCpuSeconds / 1e9,
      pytorchSecondsPerEpoch:
        torch === null ? null : (torch.stepCpuSeconds * EPOCH_SAMPLES) / batch,
      pytorchWallSecondsPerEpoch:
        torch === null ? null : (median(torch.wallSeconds) * EPOCH_SAMPLES) / samples,
      samples,
    };
  });
  const first = torchCells[0];
  const peer: PytorchPeer | null =
    interpreter === null || first === undefined
      ? null
      : {
          python: interpreter,
          torch: first.torch,
          blas: first.blas,
          openblas: /openblas/i.test(first.blas),
        };
  if (peer !== null && !peer.openblas) {
    // On stderr even with --json: a PyTorch figure on the reference BLAS is not comparable.
    console.error(
      `PyTorch: WARNING, torch's products went to ${peer.blas}, not OpenBLAS: ` +
        "Debian's reference BLAS is several times slower, so these PyTorch figures understate " +
        'it. Install libopenblas0-pthread (apt-get install libopenblas0-pthread) and run again.',
    );
  }
  return { rows, pytorch: peer };
}

function ratio(torch: number | null, seconds: number | undefined): string {
  return torch === null || seconds === undefined ? '–' : (torch / seconds).toFixed(2);
}

export function printGrid(
  rows: readonly GridRow[],
  peer: PytorchPeer | null,
  { repeats = 3, relaxed = false, twoThreads = 'auto' }: GridArgs,
): void {
  const paths = [...new Set(rows.map((r) => r.productPath))];
  const wasmProducts = relaxed ? 'relaxed SIMD (fused multiply-add)' : '128-bit SIMD';
  const products = paths.every((path) => path === 'wasm')
    ? `all in WebAssembly, ${wasmProducts}.`
    : `native ${paths.join(', ')} loops (native/products.c) from ` +
      `${NATIVE_MIN_FLOPS} FLOPs, WebAssembly ${wasmProducts} below.`;
  const second = twoThreads === 2 ? '2 threads' : twoThreads === null ? 'second run' : 'auto';
  const secondRun =
    twoThreads === null
      ? 'no second run (--threads 1)'
      : `the second run (${second}) in wall seconds (CPU seconds of both threads in brackets)`;
  console.log(
    `\nGrid model (relu, Adam), seconds per 60,000-image epoch: median of ${repeats} epochs on ` +
      `the subset shown, scaled to 60,000. gradscope products: ${products}`,
  );
  console.log(
    'Time basis: "1 thread" and PyTorch (1 core) in CPU seconds of the process (wall seconds in ' +
      `brackets); ${secondRun}. Each cell ran its runs back to back. "split" is the share of the ` +
      'timed product calls that ran on two threads, "helper" the share of the pieces split (of ' +
      `products and of Adam's updates) the helper thread computed. auto keeps one thread while CPU pressure is above ${BUSY_PRESSURE}% ` +
      '(other processes hold the cores); --threads 2 splits every product.',
  );
  if (peer !== null) {
    console.log(
      `PyTorch ${peer.torch} (${peer.python}), BLAS: ${peer.blas}` +
        (peer.openblas ? '' : ' — NOT OpenBLAS: PyTorch figures understated'),
    );
  }
  console.log(
    `| units | batch | images timed | gradscope 1 thread CPU s (wall) | ${second} wall s (CPU) | ` +
      `split / helper | PyTorch 1 core CPU s (wall) | PyTorch ÷ 1 thread | ` +
      `PyTorch ÷ ${second} | GFLOP/s end to end 1 / ${second} | ` +
      `GFLOP/s products alone 1 / ${second} | share outside products 1 / ${second} | ` +
      'in place, 1 thread: products / Adam / other kernels / JS glue | ' +
      'PyTorch GFLOP/s end to end / products alone | load average, CPU pressure % |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const pair = (one: number, two: number | undefined, digits: number, scale = 1) =>
    `${(one * scale).toFixed(digits)} / ${two === undefined ? '–' : (two * scale).toFixed(digits)}`;
  const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
  const shares = ({ products, adam, otherKernels, glue }: KernelShares) =>
    `${[products, adam, otherKernels, glue].map((x) => (100 * x).toFixed(0)).join(' / ')}%`;
  for (const r of rows) {
    const two = r.twoThreads ?? undefined;
    const torch = r.pytorchSecondsPerEpoch;
    const loads = [r.loadAverage, two?.loadAverage ?? []].flat();
    const pressures = [r.cpuPressure, two?.cpuPressure ?? []].flat();
    const range = (xs: number[], digits: number) =>
      `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    console.log(
      `| ${r.units} | ${r.batch} | ${r.samples} | ${r.secondsPerEpoch.toFixed(2)} ` +
        `(${r.wallSecondsPerEpoch.toFixed(2)}) | ` +
        (two === undefined
          ? '– | – | '
          : `${two.secondsPerEpoch.toFixed(2)} (${two.cpuSecondsPerEpoch.toFixed(2)}) | ` +
            `${percent(two.splitWhileTimed)} / ${percent(two.helperPieces)} | `) +
        (torch === null
          ? '–'
          : `${torch.toFixed(2)} (${r.pytorchWallSecondsPerEpoch!.toFixed(2)})`) +
        ` | ${ratio(torch, r.secondsPerEpoch)} | ` +
        `${ratio(torch, two?.secondsPerEpoch)} | ${pair(r.gflops, two?.gflops, 1)} | ` +
        `${pair(r.kernelGflops, two?.kernelGflops, 1)} | ` +
        `${pair(r.outsideProducts, two?.outsideProducts, 0, 100)}% | ` +
        `${shares(r.inPlace)} | ` +
        (r.pytorchGflops === null
          ? '– | '
          : `${r.pytorchGflops.toFixed(1)} / ${r.pytorchKernelGflops!.toFixed(1)} | `) +
        `${range(loads, 1)}, ${range(pressures, 0)} |`,
    );
  }
}
