import test from 'node:test';
import assert from 'node:assert/strict';
import { heap } from '../../src/engine/heap.js';
import { referenceKernels, simdKernels, type Kernels } from '../../src/engine/kernels/index.js';
import { Tensor } from '../../src/engine/tensor.js';

type Op = 'matmul' | 'matmulTransA' | 'matmulTransB';
const OPS: readonly Op[] = ['matmul', 'matmulTransA', 'matmulTransB'];

/** mulberry32: a small seeded generator, independent of src/engine/random.ts. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GUARD = 8;
const SENTINEL = 12345.5;

interface Case {
  a: Tensor;
  b: Tensor;
  /** C with GUARD sentinel floats after its m×n block; the kernels get `c`, a view. */
  backing: Tensor;
  c: Tensor;
}

function makeCase(m: number, k: number, n: number, random: () => number): Case {
  const a = Tensor.zeros([m * k]);
  const b = Tensor.zeros([k * n]);
  const backing = Tensor.zeros([m * n + GUARD]);
  a.data.forEach((_, i) => (a.data[i] = random() * 2 - 1));
  b.data.forEach((_, i) => (b.data[i] = random() * 2 - 1));
  backing.data.forEach((_, i) => (backing.data[i] = i < m * n ? random() * 2 - 1 : SENTINEL));
  return { a, b, backing, c: backing.view([m, n]) };
}

function disposeCase({ a, b, backing }: Case): void {
  a.dispose();
  b.dispose();
  backing.dispose();
}

function absolute(t: Tensor): Tensor {
  return Tensor.fromArray(t.shape, t.data.map(Math.abs));
}

/**
 * Runs `op` on simd and on the reference from the same C and compares. Float32 summation of k
 * products errs by at most about k·2⁻²⁴·(|C₀| + Σ|a·b|) (recursive summation bound); we allow
 * (k + 2)·2⁻²³ times that magnitude, itself computed by the reference on |A|, |B|, |C₀|.
 */
function compare(op: Op, m: number, k: number, n: number, accumulate: boolean, seed: number) {
  const random = generator(seed);
  const sc = makeCase(m, k, n, random);
  const a0 = sc.a.toArray();
  const b0 = sc.b.toArray();
  const expected = sc.c.clone();
  referenceKernels[op](sc.a, sc.b, expected, m, k, n, accumulate);
  const magnitude = accumulate ? absolute(sc.c) : Tensor.zeros([m, n]);
  const absA = absolute(sc.a);
  const absB = absolute(sc.b);
  referenceKernels[op](absA, absB, magnitude, m, k, n, true);

  simdKernels[op](sc.a, sc.b, sc.c, m, k, n, accumulate);

  const where = `${op} m=${m} k=${k} n=${n} accumulate=${accumulate}`;
  const got = sc.c.data;
  const tolerance = (k + 2) * 2 ** -23;
  for (let i = 0; i < m * n; i++) {
    const error = Math.abs(got[i] - expected.data[i]);
    if (!(error <= tolerance * magnitude.data[i])) {
      assert.fail(`${where}: C[${i}] = ${got[i]}, expected ${expected.data[i]}`);
    }
  }
  const guard = sc.backing.data.subarray(m * n);
  assert.deepEqual(Array.from(guard), new Array(GUARD).fill(SENTINEL), `${where}: guard`);
  assert.deepEqual(sc.a.toArray(), a0, `${where}: A changed`);
  assert.deepEqual(sc.b.toArray(), b0, `${where}: B changed`);
  for (const t of [expected, magnitude, absA, absB]) t.dispose();
  disposeCase(sc);
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33];

for (const op of OPS) {
  test(`${op}: simd matches the reference on every m, k, n in the grid`, () => {
    let seed = 1;
    for (const m of SIZES) {
      for (const k of SIZES) {
        for (const n of SIZES) {
          compare(op, m, k, n, false, seed++);
          compare(op, m, k, n, true, seed++);
        }
      }
    }
  });

  test(`${op}: simd matches the reference on the reference model's shapes and odd large ones`, () => {
    const shapes = [
      [32, 784, 32],
      [784, 32, 32],
      [32, 32, 784],
      [32, 32, 10],
      [33, 785, 31],
      [1, 784, 32],
      [785, 1, 3],
      // Past the packing threshold (k·n ≥ 32768): several KC and NC blocks, ragged strips.
      [5, 300, 130],
      [9, 257, 263],
      [3, 1030, 40],
      [13, 40, 1000],
      // Wider than one packed panel of B in the native loop (NC = 2048 columns).
      [7, 20, 2100],
      [6, 520, 129],
      // More rows than one block (MC = 120), with strips spanning more than 256 KB of their
      // source, which the native loop packs row by row (products.c ROW_PACK_SPAN): B's rows
      // in A·B and Aᵀ·B, and A's in Aᵀ·B of 300 columns.
      [130, 300, 263],
      [300, 260, 40],
    ];
    for (const [m, k, n] of shapes) {
      compare(op, m, k, n, false, m * k + n);
      compare(op, m, k, n, true, m * k + n + 1);
    }
  });

  test(`${op}: k = 0 gives zeros, or leaves C unchanged when accumulating`, () => {
    for (const [m, n] of [
      [1, 1],
      [3, 5],
      [9, 17],
    ]) {
      compare(op, m, 0, n, false, m + n);
      compare(op, m, 0, n, true, m + n + 1);
      const c = Tensor.fromArray([m, n], new Array(m * n).fill(3));
      simdKernels[op](Tensor.zeros([0]), Tensor.zeros([0]), c, m, 0, n, false);
      assert.deepEqual(c.toArray(), new Array(m * n).fill(0));
    }
  });
}

/** The same product stored three ways; values from numpy (A @ B in float32). */
test('each reference kernel computes its product (numpy values)', () => {
  const A = [1.5, -2, 0.25, 3, 0.5, -1]; // 2×3
  const B = [2, -1, 0, 1, 0.5, 4, -2, 1, -3, 1.25, 8, 1]; // 3×4
  const AT = [1.5, 3, -2, 0.5, 0.25, -1]; // Aᵀ, 3×2
  const BT = [2, 0.5, -3, -1, 4, 1.25, 0, -2, 8, 1, 1, 1]; // Bᵀ, 4×3
  const product = [1.25, -9.1875, 6, -0.25, 9.25, -2.25, -9, 2.5];
  const inputs: Record<Op, [number[], number[]]> = {
    matmul: [A, B],
    matmulTransA: [AT, B],
    matmulTransB: [A, BT],
  };
  for (const kernels of [referenceKernels, simdKernels] as Kernels[]) {
    for (const op of OPS) {
      const [a, b] = inputs[op];
      const c = Tensor.fromArray([2, 4], new Array(8).fill(1));
      kernels[op](Tensor.fromArray([6], a), Tensor.fromArray([12], b), c, 2, 3, 4, false);
      assert.deepEqual(c.toArray(), product, `${kernels.name} ${op}`);
      kernels[op](Tensor.fromArray([6], a), Tensor.fromArray([12], b), c, 2, 3, 4, true);
      assert.deepEqual(
        c.toArray(),
        product.map((x) => 2 * x),
        `${kernels.name} ${op} accumulate`,
      );
    }
  }
});

test('0 · Inf gives NaN as in the reference (zero multipliers are not skipped)', () => {
  for (const op of OPS) {
    const a = Tensor.zeros([4 * 4]);
    const b = Tensor.fromArray([4 * 4], new Array(16).fill(Infinity));
    const c = Tensor.zeros([4, 4]);
    simdKernels[op](a, b, c, 4, 4, 4, false);
    assert.ok(
      c.data.every((x) => Number.isNaN(x)),
      `${op}: ${c.toArray()}`,
    );
  }
});

test('kernels stay correct after the heap grows between allocation and use', () => {
  const random = generator(99);
  const sc = makeCase(33, 40, 17, random);
  const values = sc.a.toArray();
  const generation = heap.generation;
  const huge = Tensor.zeros([heap.memory.buffer.byteLength / 4]);
  assert.ok(heap.generation > generation, 'the huge tensor should have grown the heap');
  assert.deepEqual(sc.a.toArray(), values);
  huge.dispose();
  for (const op of OPS) {
    const expected = sc.c.clone();
    referenceKernels[op](sc.a, sc.b, expected, 33, 40, 17, true);
    simdKernels[op](sc.a, sc.b, sc.c, 33, 40, 17, true);
    sc.c.data.forEach((x, i) => assert.ok(Math.abs(x - expected.data[i]) < 1e-4, `${op} ${i}`));
    expected.dispose();
  }
  disposeCase(sc);
});

test('kernels reject operands too small for m, k, n and non-integer dimensions', () => {
  const a = Tensor.zeros([2, 3]);
  const b = Tensor.zeros([3, 3]);
  const c = Tensor.zeros([2, 2]);
  for (const kernels of [referenceKernels, simdKernels] as Kernels[]) {
    assert.throws(() => kernels.matmul(a, b, c, 2, 3, 3, false), {
      name: 'ShapeError',
      message:
        'matmul: C must hold at least 6 elements for m=2, k=3, n=3. Received: C of 4 elements',
    });
    assert.throws(() => kernels.matmulTransA(a, b, c, 2, 4, 1, false), {
      name: 'ShapeError',
      message: /^matmulTransA: A must hold at least 8 elements/,
    });
    assert.throws(() => kernels.matmulTransB(a, b, c, 1, 2.5, 1, false), {
      name: 'ValueError',
      message: 'matmulTransB: k must be a non-negative integer. Received: k=2.5',
    });
  }
});
