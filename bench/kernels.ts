/**
 * Micro-benchmark of the matrix kernels on the reference model's shapes (batch 32, Dense
 * 784→32 and 32→32). Prints GFLOP/s for the SIMD and the reference kernels.
 *
 * Run: `node dist/bench/kernels.js`. Each figure is the best of several timed trials, after a
 * warm-up long enough for V8 to move the wasm from its baseline compiler to the optimizing one.
 */
import { referenceKernels, simdKernels, type Kernels } from '../src/engine/kernels/index.js';
import { RandomState } from '../src/engine/random.js';
import { Tensor } from '../src/engine/tensor.js';

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
];

const TRIALS = 10;
const TRIAL_SECONDS = 0.02;
const WARMUP_SECONDS = 0.2;

/** Seconds per call: the best of TRIALS trials, each repeating the call for TRIAL_SECONDS. */
function secondsPerCall(call: () => void): number {
  const warmupEnd = performance.now() + WARMUP_SECONDS * 1000;
  while (performance.now() < warmupEnd) call();
  let best = Infinity;
  for (let trial = 0; trial < TRIALS; trial++) {
    const start = performance.now();
    let calls = 0;
    let elapsed = 0;
    while (elapsed < TRIAL_SECONDS * 1000) {
      call();
      calls++;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, elapsed / 1000 / calls);
  }
  return best;
}

function gflops({ op, m, k, n }: Shape, kernels: Kernels, random: RandomState): number {
  const a = Tensor.fromArray([m * k], random.uniform(-1, 1, m * k));
  const b = Tensor.fromArray([k * n], random.uniform(-1, 1, k * n));
  const c = Tensor.zeros([m, n]);
  const seconds = secondsPerCall(() => kernels[op](a, b, c, m, k, n, false));
  for (const t of [a, b, c]) t.dispose();
  return (2 * m * k * n) / seconds / 1e9;
}

function main(): void {
  const random = new RandomState(0);
  console.log('kernel          m×k×n        simd GFLOP/s  reference GFLOP/s  speed-up  role');
  for (const shape of SHAPES) {
    const simd = gflops(shape, simdKernels, random);
    const reference = gflops(shape, referenceKernels, random);
    const dims = `${shape.m}×${shape.k}×${shape.n}`;
    console.log(
      `${shape.op.padEnd(15)} ${dims.padEnd(12)} ${simd.toFixed(2).padStart(12)}  ` +
        `${reference.toFixed(2).padStart(17)}  ${(simd / reference).toFixed(1).padStart(7)}×  ` +
        shape.role,
    );
  }
}

main();
