/**
 * The matrix products and Adam's updates split across two threads (kernels/threads.ts): the
 * same bits as on one thread, for every product, shape and split, through heap growth, and for
 * a whole training run from one seed. The other kernel tests run on this path too (kernel-paths.test.ts,
 * GRADSCOPE_THREADS=2).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { arrayDataset } from '../../src/engine/dataset.js';
import { heap } from '../../src/engine/heap.js';
import { simdKernels } from '../../src/engine/kernels/index.js';
import { simdAdam } from '../../src/engine/kernels/adam.js';
import { nativeWidth } from '../../src/engine/kernels/native.js';
import { productSplit, productThreads } from '../../src/engine/kernels/simd.js';
import {
  ADAM_SPLIT_MIN,
  adamSplitPlan,
  coresBusy,
  parseThreadSetting,
  productsSplit,
  setThreads,
  splitPlan,
  piecesSplit,
  stopThreads,
  threadSetting,
  type ThreadSetting,
} from '../../src/engine/kernels/threads.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';
import { buildFashionModel } from '../../src/experiments/fashion/model.js';
import { normalValues } from './support.js';

const OPS = ['matmul', 'matmulTransA', 'matmulTransB'] as const;

/** Runs `body` with the products on `threads`, then restores the setting it found. */
function onThreads<T>(threads: ThreadSetting, body: () => T): T {
  const before = threadSetting();
  setThreads(threads);
  try {
    return body();
  } finally {
    setThreads(before);
  }
}

/** C from `c0` (+)= op(A)·op(B) on `threads`; returns C's elements and the guard after it. */
function product(
  threads: ThreadSetting,
  op: (typeof OPS)[number],
  [m, k, n]: readonly number[],
  accumulate: boolean,
  random: RandomState,
): { c: Float32Array; guard: number[] } {
  const a = Tensor.fromArray([m * k], normalValues(random, m * k));
  const b = Tensor.fromArray([k * n], normalValues(random, k * n));
  const backing = Tensor.fromArray([m * n + 4], [...normalValues(random, m * n), 7, 7, 7, 7]);
  onThreads(threads, () => simdKernels[op](a, b, backing.view([m, n]), m, k, n, accumulate));
  const result = { c: backing.data.slice(0, m * n), guard: Array.from(backing.data.slice(m * n)) };
  for (const t of [a, b, backing]) t.dispose();
  return result;
}

const SHAPES = [
  [2, 3, 5],
  [7, 9, 4],
  [8, 16, 8],
  [13, 33, 17],
  [32, 784, 32],
  [784, 32, 32],
  // Packed (k·n ≥ 32768): several KC and NC blocks; ragged rows.
  [37, 300, 130],
  [130, 520, 70],
  [64, 257, 263],
  // Natively, one thread packs B for its 200 rows; each of two row pieces (100 ≤ MC rows)
  // reads B where it is (native/products.c): the same bits either way.
  [200, 300, 40],
];

test('two threads give the same bits as one for every product, shape and accumulate', () => {
  const splitBefore = productsSplit();
  for (const op of OPS) {
    for (const shape of SHAPES) {
      for (const accumulate of [false, true]) {
        const seed = shape[0] * 1000 + shape[1] + (accumulate ? 1 : 0);
        const one = product(1, op, shape, accumulate, new RandomState(seed));
        const two = product(2, op, shape, accumulate, new RandomState(seed));
        const where = `${op} ${shape.join('×')} accumulate=${accumulate}`;
        assert.ok(
          one.c.every((x, i) => Object.is(x, two.c[i])),
          `${where}: bits differ`,
        );
        assert.deepEqual(two.guard, [7, 7, 7, 7], `${where}: wrote past C`);
      }
    }
  }
  assert.equal(
    productsSplit() - splitBefore,
    OPS.length * SHAPES.length * 2,
    'every product split',
  );
});

test('the split: 2 cuts every product that has two pieces, auto only big ones, 1 none', () => {
  onThreads(2, () => {
    assert.equal(splitPlan(1, 100, 1), null, 'one element: nothing to cut');
    assert.deepEqual(splitPlan(2, 1, 1), { axis: 0, size: 1, chunks: 2 });
    assert.deepEqual(splitPlan(7, 1, 1), { axis: 0, size: 4, chunks: 2 });
    // Wide C: column blocks, multiples of 8 columns (the last one shorter).
    assert.deepEqual(splitPlan(32, 256, 256), { axis: 1, size: 32, chunks: 8 });
    assert.deepEqual(splitPlan(1, 100, 100), { axis: 1, size: 56, chunks: 2 });
    assert.deepEqual(splitPlan(512, 1024, 1000), { axis: 1, size: 128, chunks: 8 });
    // Tall, narrow C: row blocks, multiples of 4 rows.
    assert.deepEqual(splitPlan(784, 32, 32), { axis: 0, size: 264, chunks: 3 });
    assert.deepEqual(splitPlan(1024, 512, 64), { axis: 0, size: 128, chunks: 8 });
    // Fewer pieces where each would have fewer than 500,000 FLOPs.
    assert.deepEqual(splitPlan(32, 784, 32), { axis: 1, size: 16, chunks: 2 });
    // The native products' plan: 32-column blocks, 2 pieces at most.
    const native = { strip: 32, most: 2 };
    assert.deepEqual(splitPlan(512, 1024, 1000, native), { axis: 1, size: 512, chunks: 2 });
    assert.deepEqual(splitPlan(32, 784, 100, native), { axis: 1, size: 64, chunks: 2 });
    assert.deepEqual(splitPlan(1024, 512, 64, native), { axis: 0, size: 512, chunks: 2 });
  });
  onThreads(1, () => assert.equal(productThreads(512, 1024, 1024), 1));
  onThreads('auto', () => {
    assert.equal(productThreads(32, 32, 32), 1, 'a small product stays on one thread');
  });
});

test('a split product is computed in pieces, some of them by the helper', () => {
  const before = piecesSplit();
  const runs = 20;
  // 8 pieces in wasm, 2 natively (simd.ts).
  const chunks = onThreads(2, () => productSplit(64, 512, 512)!.chunks);
  assert.equal(chunks, nativeWidth === null ? 8 : 2);
  for (let i = 0; i < runs; i++) product(2, 'matmul', [64, 512, 512], false, new RandomState(i));
  const after = piecesSplit();
  assert.equal(after.pieces - before.pieces, runs * chunks);
  const helped = after.helped - before.helped;
  assert.ok(helped >= 0 && helped <= runs * chunks, `helper pieces: ${helped}`);
});

/**
 * Adam's update of `n` weights from seeded values on `threads`, `measure` as asked: its
 * result and the weights and moments after it.
 */
function adamUpdate(threads: ThreadSetting, n: number, measure: boolean) {
  const random = new RandomState(n);
  const [w, g, m] = [1, 1e-2, 1e-3].map((scale) =>
    Tensor.fromArray([n], normalValues(random, n, scale)),
  );
  const v = Tensor.fromArray([n], normalValues(random, n, 1e-3).map(Math.abs));
  const step = { lrT: 1e-3, a1: 0.1, a2: 0.001, epsilon: 1e-7 };
  const weights = measure ? { value: undefined as number | undefined } : null;
  const squared = onThreads(threads, () => simdAdam(w, g, m, v, step, measure, weights));
  const after = [w, m, v].map((t) => t.data.slice());
  for (const t of [w, g, m, v]) t.dispose();
  return { squared, weightSquares: weights?.value, after };
}

test("Adam's update shared with the helper gives the bits of one thread", () => {
  // The helper runs once a product was split.
  product(2, 'matmul', [64, 512, 512], false, new RandomState(1));
  for (const n of [ADAM_SPLIT_MIN, 100_003]) {
    const before = piecesSplit().pieces;
    const two = adamUpdate(2, n, false);
    const plan = onThreads(2, () => adamSplitPlan(n));
    assert.ok(plan !== null, `an update of ${n} weights splits on 2 threads`);
    assert.equal(piecesSplit().pieces - before, plan.chunks);
    const one = adamUpdate(1, n, false);
    one.after.forEach((values, k) => {
      assert.ok(
        values.every((x, i) => Object.is(x, two.after[k][i])),
        `${['w', 'm', 'v'][k]} differs for n=${n}`,
      );
    });
  }
  // Measured, Σ Δ² and Σ w² are summed by the same blocks on 1 thread: the same bits either way.
  const before = piecesSplit().pieces;
  const measured = adamUpdate(2, 100_003, true);
  assert.equal(piecesSplit().pieces - before, 8, 'a measured update splits too');
  const whole = adamUpdate(1, 100_003, true);
  assert.equal(measured.squared, whole.squared);
  assert.equal(measured.weightSquares, whole.weightSquares);
  // Σ w² of the new weights, in float32 groups of eight (at most 8·2⁻²⁴ of relative error).
  const exact = whole.after[0].reduce((sum, x) => sum + x * x, 0);
  assert.ok(Math.abs(whole.weightSquares! - exact) <= 5e-7 * exact, 'Σ w² of the new weights');
  measured.after.forEach((values, k) => {
    assert.ok(values.every((x, i) => Object.is(x, whole.after[k][i])));
  });
  assert.ok(whole.squared > 0);
});

test('the Adam split: blocks of 16 weights covering the update, none on 1 thread or below the minimum', () => {
  product(2, 'matmul', [64, 512, 512], false, new RandomState(2));
  onThreads(2, () => {
    assert.equal(adamSplitPlan(ADAM_SPLIT_MIN - 1), null);
    for (const n of [ADAM_SPLIT_MIN, 100_003, 784 * 1024]) {
      const plan = adamSplitPlan(n)!;
      assert.equal(plan.size % 16, 0, `size ${plan.size} for n=${n}`);
      assert.ok(plan.chunks <= 8 && plan.size * plan.chunks >= n, `plan for n=${n}`);
      assert.ok(plan.size * (plan.chunks - 1) < n, `no empty piece for n=${n}`);
    }
  });
  onThreads(1, () => assert.equal(adamSplitPlan(1 << 20), null));
});

test('the helper thread sees memory the heap grew after it started', () => {
  const random = new RandomState(5);
  product(2, 'matmul', [16, 8, 8], false, random);
  const generation = heap.generation;
  const huge = Tensor.zeros([heap.memory.buffer.byteLength / 4]);
  assert.ok(heap.generation > generation, 'the huge tensor should have grown the heap');
  // Operands allocated after `huge` lie above the old end of the memory.
  const shape = [40, 50, 30];
  const one = product(1, 'matmulTransA', shape, true, new RandomState(6));
  const two = product(2, 'matmulTransA', shape, true, new RandomState(6));
  huge.dispose();
  assert.ok(one.c.every((x, i) => Object.is(x, two.c[i])));
});

test('training from one seed gives the same weights on 1 and 2 threads', () => {
  const samples = 64;
  const random = new RandomState(11);
  const x = normalValues(random, samples * 784);
  const y = Array.from({ length: samples }, (_, i) => i % 10);
  const data = arrayDataset(x, [28, 28], y);
  const train = (threads: ThreadSetting) =>
    onThreads(threads, () => {
      // 96 units: the first kernel (784×96) is big enough for its Adam update to split too.
      const model = buildFashionModel({ activation: 'relu', units: 96, seed: 3 });
      const history = model.fit(data, { epochs: 2, batchSize: 16 });
      return {
        loss: history.history.loss,
        weights: model.variables.map((v) => v.value.data.slice()),
      };
    });
  const one = train(1);
  const two = train(2);
  assert.deepEqual(two.loss, one.loss);
  assert.equal(two.weights.length, one.weights.length);
  one.weights.forEach((w, i) => {
    assert.ok(
      w.every((value, j) => Object.is(value, two.weights[i][j])),
      `variable ${i} differs`,
    );
  });
});

test('stopThreads stops the helper and the next split starts a new one', async () => {
  const shape = [9, 10, 11];
  const before = product(2, 'matmulTransB', shape, false, new RandomState(8));
  await stopThreads();
  await stopThreads();
  const after = product(2, 'matmulTransB', shape, false, new RandomState(8));
  assert.ok(before.c.every((x, i) => Object.is(x, after.c[i])));
  await stopThreads();
});

test('thread settings: GRADSCOPE_THREADS values, and errors that say what was received', () => {
  assert.equal(parseThreadSetting(undefined), 'auto');
  assert.equal(parseThreadSetting('auto'), 'auto');
  assert.equal(parseThreadSetting('1'), 1);
  assert.equal(parseThreadSetting('2'), 2);
  assert.throws(
    () => parseThreadSetting('4'),
    /GRADSCOPE_THREADS must be 1, 2 or auto\. Received: 4/,
  );
  assert.throws(
    () => setThreads(3 as ThreadSetting),
    /setThreads: threads must be 1, 2 or 'auto'\. Received: 3/,
  );
});

test("'auto' never splits in a worker thread: experiments that train one model per worker keep 1", async () => {
  const threads = new URL('../../src/engine/kernels/threads.js', import.meta.url).href;
  const simd = new URL('../../src/engine/kernels/simd.js', import.meta.url).href;
  const source =
    `Promise.all([import('${threads}'), import('${simd}')]).then(([t, s]) => ` +
    `require('node:worker_threads').parentPort.postMessage(` +
    `[t.threadSetting(), s.productThreads(512, 1024, 1024)]));`;
  const worker = new Worker(source, { eval: true, env: { GRADSCOPE_THREADS: 'auto' } });
  const [setting, used] = await new Promise<[string, number]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(setting, 'auto');
  assert.equal(used, 1);
  // On the main thread it splits where there is a second core that other processes leave free.
  const cores = availableParallelism() >= 2 && !coresBusy() ? 2 : 1;
  onThreads('auto', () => assert.equal(productThreads(512, 1024, 1024), cores));
});

test('a process that split products exits by itself, also when run by `node -e`', () => {
  const kernels = new URL('../../src/engine/kernels/index.js', import.meta.url).href;
  const tensor = new URL('../../src/engine/tensor.js', import.meta.url).href;
  const script = `import { simdKernels } from ${JSON.stringify(kernels)};
import { Tensor } from ${JSON.stringify(tensor)};
const a = Tensor.fromArray([6], [1, 2, 3, 4, 5, 6]);
const c = Tensor.zeros([6]);
simdKernels.matmul(a, Tensor.fromArray([1], [2]), c, 6, 1, 1, false);
console.log(c.toArray().join(' '));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, GRADSCOPE_THREADS: '2' },
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.equal(child.status, 0, `the child failed or hung: ${child.stderr}`);
  assert.equal(child.stdout.trim(), '2 4 6 8 10 12');
});
