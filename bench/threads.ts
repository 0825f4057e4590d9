/**
 * `node dist/bench/threads.js`: what splitting a product across two threads (kernels/threads.ts)
 * buys, on wall time, per shape: first the hand-off alone (a 2×1×1 product forced onto two
 * threads, less the same product on one), then every distinct product shape of the grid's
 * training steps (grid-model.ts) on 1 and on 2 threads, interleaved, each the median of 3
 * best-of-10 timings (timing.ts), beside whether 'auto' splits it. On a machine shared with
 * other jobs the second thread often waits for a core, so the speed-ups here are lower bounds.
 * `--json` prints one JSON object.
 */
import { simdKernels } from '../src/engine/kernels/index.js';
import {
  AUTO_MIN_FLOPS,
  setThreads,
  splitPlan,
  type ThreadSetting,
} from '../src/engine/kernels/threads.js';
import { RandomState } from '../src/engine/random.js';
import { median } from '../src/engine/statistics.js';
import { Tensor } from '../src/engine/tensor.js';
import { GRID_BATCHES, GRID_UNITS } from './grid.js';
import { stepProducts, type StepProduct } from './grid-model.js';
import { secondsPerCall, wallSeconds } from './timing.js';

const REPEATS = 3;

function timeOn(threads: ThreadSetting, { op, m, k, n }: StepProduct, random: RandomState): number {
  const a = Tensor.fromArray([m * k], random.uniform(-1, 1, m * k));
  const b = Tensor.fromArray([k * n], random.uniform(-1, 1, k * n));
  const c = Tensor.zeros([m, n]);
  setThreads(threads);
  const seconds = secondsPerCall(() => simdKernels[op](a, b, c, m, k, n, false), 0.05, wallSeconds);
  for (const t of [a, b, c]) t.dispose();
  return seconds;
}

/** Median over REPEATS of the 1- and 2-thread times, taken alternately. */
function compare(product: StepProduct, random: RandomState): { one: number; two: number } {
  const one: number[] = [];
  const two: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    one.push(timeOn(1, product, random));
    two.push(timeOn(2, product, random));
  }
  return { one: median(one), two: median(two) };
}

function distinctShapes(): StepProduct[] {
  const seen = new Map<string, StepProduct>();
  for (const units of GRID_UNITS) {
    for (const batch of GRID_BATCHES) {
      for (const p of stepProducts(units, batch)) seen.set(`${p.op} ${p.m} ${p.k} ${p.n}`, p);
    }
  }
  return [...seen.values()].sort((x, y) => x.m * x.k * x.n - y.m * y.k * y.n);
}

function main(): void {
  const json = process.argv.includes('--json');
  const random = new RandomState(0);
  const tiny = compare({ op: 'matmul', m: 2, k: 1, n: 1 }, random);
  const handOffSeconds = tiny.two - tiny.one;
  const shapes = distinctShapes().map((product) => {
    const { one, two } = compare(product, random);
    setThreads('auto');
    const flops = 2 * product.m * product.k * product.n;
    return {
      ...product,
      flops,
      one,
      two,
      speedUp: one / two,
      autoSplits: splitPlan(product.m, product.k, product.n) !== null,
    };
  });
  setThreads('auto');
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ handOffSeconds, autoMinFlops: AUTO_MIN_FLOPS, shapes })}\n`,
    );
    return;
  }
  console.log(
    `Hand-off (2×1×1 product on 2 threads less on 1), wall: ${(handOffSeconds * 1e6).toFixed(1)} µs`,
  );
  console.log(
    `'auto' splits products of ≥ ${AUTO_MIN_FLOPS.toExponential(1)} FLOPs (and ≥ 8 rows)`,
  );
  console.log('| product | m×k×n | FLOPs | 1 thread µs | 2 threads µs | speed-up | auto splits |');
  console.log('|---|---|---:|---:|---:|---:|---|');
  for (const s of shapes) {
    console.log(
      `| ${s.op} | ${s.m}×${s.k}×${s.n} | ${s.flops.toExponential(2)} | ${(s.one * 1e6).toFixed(1)} | ` +
        `${(s.two * 1e6).toFixed(1)} | ${s.speedUp.toFixed(2)} | ${s.autoSplits ? 'yes' : 'no'} |`,
    );
  }
}

main();
