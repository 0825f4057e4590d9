/**
 * One cell of the grid benchmark in a fresh process: the grid model (grid-model.ts) of
 * `units` trained at `batch` on the first `samples` Fashion-MNIST training images, one untimed
 * warm-up epoch then `repeats` timed ones; then each matrix product of a training step timed
 * alone on the same shapes (best of several trials, timing.ts), and one more epoch with every
 * kernel call timed in place (kernel-shares.ts). Prints one JSON line (GridCell).
 * The machine is shared, so one-thread epochs are timed in CPU seconds of this process: wall
 * time would include the time other processes held the core. Where products may split across
 * two threads (GRADSCOPE_THREADS=2 or auto, kernels/threads.ts) the basis is wall time: CPU
 * time would count both threads' seconds.
 * Usage: node grid-epoch.js <units> <batch> <samples> [repeats]
 */
import { loadavg } from 'node:os';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import { firstImages, imageDataset } from '../src/data/image-dataset.js';
import { kernels } from '../src/engine/kernels/index.js';
import { nativeWidth } from '../src/engine/kernels/native.js';
import { productThreads } from '../src/engine/kernels/simd.js';
import {
  cpuPressure,
  piecesSplit,
  productsSplit,
  threadSetting,
  type ThreadSetting,
} from '../src/engine/kernels/threads.js';
import { RandomState } from '../src/engine/random.js';
import { median } from '../src/engine/statistics.js';
import { Tensor } from '../src/engine/tensor.js';
import { buildGridModel, productFlops, stepProducts, type StepProduct } from './grid-model.js';
import { kernelShares, type KernelShares } from './kernel-shares.js';
import { cpuSeconds, secondsPerCall, wallSeconds, type Clock } from './timing.js';

export interface GridCell {
  units: number;
  batch: number;
  /** Images per timed epoch. */
  samples: number;
  /** GRADSCOPE_THREADS of this process. */
  threads: ThreadSetting;
  /** Where the step's products of NATIVE_MIN_FLOPS or more ran: 'avx512', 'avx2' or 'wasm'. */
  productPath: string;
  /** How many of the step's products would run on two threads now, after the timing. */
  splitProducts: number;
  /** Of the product calls in the timed epochs, the share that ran on two threads. */
  splitWhileTimed: number;
  /** Of the pieces split (products' and Adam updates'), the share the helper thread computed. */
  helperPieces: number;
  /** The 1-minute load average before and after the timed epochs. */
  loadAverage: [number, number];
  /** CPU pressure (% "some avg10", kernels/threads.ts) before and after the timed epochs. */
  cpuPressure: [number, number];
  /** The step's products. */
  products: number;
  /** The clock of `stepSeconds` and `productSeconds`: CPU on GRADSCOPE_THREADS=1, else wall. */
  timeBasis: 'cpu' | 'wall';
  /** Wall-clock seconds of each timed epoch of `samples` images. */
  wallSeconds: number[];
  /** CPU seconds of this process in each timed epoch (all its threads: GC, compiler too). */
  cpuSeconds: number[];
  /** Seconds per step on `timeBasis`: the median timed epoch over its steps. */
  stepSeconds: number;
  /** Seconds per step inside the matrix products, each timed alone on the step's shapes. */
  productSeconds: number;
  /** FLOPs of the matrix products of one step. */
  stepFlops: number;
  /** Shares of one more epoch's wall time in the kernels and outside them, timed in place. */
  inPlace: KernelShares;
}

function timeProduct({ op, m, k, n }: StepProduct, random: RandomState, clock: Clock): number {
  const a = Tensor.fromArray([m * k], random.uniform(-1, 1, m * k));
  const b = Tensor.fromArray([k * n], random.uniform(-1, 1, k * n));
  const c = Tensor.zeros([m, n]);
  // The backward products accumulate into the gradients, as in training.
  const accumulate = op === 'matmulTransA';
  const seconds = secondsPerCall(() => kernels[op](a, b, c, m, k, n, accumulate), 0.05, clock);
  for (const t of [a, b, c]) t.dispose();
  return seconds;
}

async function main(): Promise<void> {
  const [units, batch, samples] = process.argv.slice(2, 5).map(Number);
  const repeats = Number(process.argv[5] ?? 3);
  const data = imageDataset(firstImages((await loadFashionMnist()).train, samples));
  const model = buildGridModel(units);
  const conditions = () => ({
    load: loadavg()[0],
    pressure: cpuPressure(),
    split: productsSplit(),
    pieces: piecesSplit(),
  });
  const epoch = (): [wall: number, cpu: number] => {
    const [started, cpu] = [performance.now(), cpuSeconds()];
    model.fit(data, { epochs: 1, batchSize: batch });
    return [(performance.now() - started) / 1000, cpuSeconds() - cpu];
  };
  epoch();
  const before = conditions();
  const timed = Array.from({ length: repeats }, epoch);
  const after = conditions();
  const cpuTimes = timed.map(([, cpu]) => cpu);
  const wallTimes = timed.map(([wall]) => wall);
  const steps = Math.ceil(samples / batch);
  const products = stepProducts(units, batch);
  const calls = products.length * steps * repeats;
  const pieces = after.pieces.pieces - before.pieces.pieces;
  const splitProducts = products.filter(({ m, k, n }) => productThreads(m, k, n) === 2).length;
  // Wall time whenever products may split, so the second run of a cell has one basis throughout.
  const timeBasis = threadSetting() === 1 ? 'cpu' : 'wall';
  const clock = timeBasis === 'wall' ? wallSeconds : cpuSeconds;
  const random = new RandomState(1);
  const productSeconds = products.reduce((sum, p) => sum + timeProduct(p, random, clock), 0);
  const inPlace = kernelShares(() => void epoch());
  const cell: GridCell = {
    units,
    batch,
    samples,
    threads: threadSetting(),
    productPath: nativeWidth ?? 'wasm',
    splitProducts,
    splitWhileTimed: (after.split - before.split) / calls,
    helperPieces: pieces === 0 ? 0 : (after.pieces.helped - before.pieces.helped) / pieces,
    loadAverage: [before.load, after.load],
    cpuPressure: [before.pressure, after.pressure],
    products: products.length,
    timeBasis,
    wallSeconds: wallTimes,
    cpuSeconds: cpuTimes,
    stepSeconds: median(timeBasis === 'wall' ? wallTimes : cpuTimes) / steps,
    productSeconds,
    stepFlops: productFlops(products),
    inPlace,
  };
  console.log(JSON.stringify(cell));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
