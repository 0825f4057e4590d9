/**
 * Micro-benchmark of the matrix kernels on the reference model's shapes (batch 32, Dense
 * 784→32 and 32→32) and the grid's wide ones (Dense 1024→1024 at batch 128 and 512). Prints
 * GFLOP/s for the SIMD kernels on one thread (CPU time) and split across two (wall time:
 * kernels/threads.ts, forced on every shape) and, on the small shapes, the reference kernels.
 *
 * The "simd" column is the engine's products as training runs them: natively from
 * NATIVE_MIN_FLOPS where the native module is built (kernels/native.ts), else in wasm;
 * `GRADSCOPE_NATIVE=0 node dist/bench/kernels.js` times the wasm products alone.
 *
 * Run: `node dist/bench/kernels.js`. Each figure is the best of several timed trials (timing.ts).
 */
import {
  referenceKernels,
  setThreads,
  simdKernels,
  type Kernels,
} from '../src/engine/kernels/index.js';
import { productsDescription } from '../src/engine/kernels/native.js';
import { RandomState } from '../src/engine/random.js';
import { Tensor } from '../src/engine/tensor.js';
import { cpuSeconds, secondsPerCall, wallSeconds, type Clock } from './timing.js';

interface Shape {
  op: 'matmul' | 'matmulTransA' | 'matmulTransB';
  m: number;
  k: number;
  n: number;
  /** Where the product appears in training. */
  role: string;
}

const SHAPES: readonly Shape[] = [
  { op: 'matmul', m: 32, k: 784, n: 32, role: 'Dense 784→32 forward, x·W' },
  { op: 'matmulTransA', m: 784, k: 32, n: 32, role: 'Dense 784→32 kernel gradient, xᵀ·∂L/∂y' },
  { op: 'matmulTransB', m: 32, k: 32, n: 32, role: 'Dense 32→32 input gradient, ∂L/∂y·Wᵀ' },
  { op: 'matmul', m: 128, k: 256, n: 256, role: 'Dense 256→256 forward, batch 128' },
  { op: 'matmul', m: 128, k: 784, n: 1024, role: 'Dense 784→1024 forward, batch 128' },
  { op: 'matmul', m: 512, k: 1024, n: 1024, role: 'Dense 1024→1024 forward, batch 512' },
  { op: 'matmulTransA', m: 1024, k: 512, n: 1024, role: 'Dense 1024→1024 kernel gradient' },
  { op: 'matmulTransB', m: 512, k: 1024, n: 1024, role: 'Dense 1024→1024 input gradient' },
  { op: 'matmulTransB', m: 128, k: 256, n: 256, role: 'Dense 256→256 input gradient' },
];

/** The reference kernels run only up to this many multiply-adds (they take ~1 ns each). */
const REFERENCE_MAX_MADDS = 2 ** 22;

function gflops(
  { op, m, k, n }: Shape,
  kernels: Kernels,
  random: RandomState,
  clock: Clock = cpuSeconds,
): number {
  const a = Tensor.fromArray([m * k], random.uniform(-1, 1, m * k));
  const b = Tensor.fromArray([k * n], random.uniform(-1, 1, k * n));
  const c = Tensor.zeros([m, n]);
  const seconds = secondsPerCall(() => kernels[op](a, b, c, m, k, n, false), undefined, clock);
  for (const t of [a, b, c]) t.dispose();
  return (2 * m * k * n) / seconds / 1e9;
}

function main(): void {
  const random = new RandomState(0);
  console.log(`products: ${productsDescription()}`);
  console.log(
    'kernel          m×k×n        simd GFLOP/s  2 threads (wall)  reference GFLOP/s  speed-up  role',
  );
  for (const shape of SHAPES) {
    setThreads(1);
    const simd = gflops(shape, simdKernels, random);
    setThreads(2);
    const two = gflops(shape, simdKernels, random, wallSeconds);
    setThreads(1);
    const small = shape.m * shape.k * shape.n <= REFERENCE_MAX_MADDS;
    const reference = small ? gflops(shape, referenceKernels, random) : NaN;
    const dims = `${shape.m}×${shape.k}×${shape.n}`;
    console.log(
      `${shape.op.padEnd(15)} ${dims.padEnd(12)} ${simd.toFixed(2).padStart(12)}  ` +
        `${two.toFixed(2).padStart(16)}  ` +
        `${reference.toFixed(2).padStart(17)}  ${(simd / reference).toFixed(1).padStart(7)}×  ` +
        shape.role,
    );
  }
}

main();
