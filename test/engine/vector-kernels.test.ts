/** The SIMD vector kernels (assembly/vector.ts) against the plain-TypeScript reference. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, type AdamStep, type Backend } from '../../src/engine/kernels/index.js';
import { squareScale, takesWeightSquares } from '../../src/engine/kernels/adam.js';
import { Tensor } from '../../src/engine/tensor.js';

const STEP = { lrT: 0.01, a1: 0.1, a2: 0.001, epsilon: 1e-7 };

function adamBoth(g: number[], w0 = 0.5, measure = true, step: AdamStep = STEP) {
  const run = (kernels: Backend) => {
    const n = g.length;
    const w = Tensor.fromArray([n], new Array(n).fill(w0));
    const grad = Tensor.fromArray([n], g);
    const m = Tensor.zeros([n]);
    const v = Tensor.zeros([n]);
    const weights: { value: number | undefined } = { value: undefined };
    const squared = kernels.adam(w, grad, m, v, step, measure, weights);
    return { w: w.toArray(), m: m.toArray(), v: v.toArray(), squared, weights: weights.value };
  };
  return { simd: run(BACKENDS.simd), reference: run(BACKENDS.reference) };
}

test('Adam: SIMD equals the reference on every length, lanes and tail alike', () => {
  // 100,003: a measured update this long sums Σ Δ² by block (kernels/adam.ts adamBlocks).
  for (const n of [1, 3, 4, 5, 8, 12, 13, 21, 64, 100_003]) {
    const g = Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.01);
    const { simd, reference } = adamBoth(g);
    simd.w.forEach((w, i) =>
      assert.ok(Math.abs(w - reference.w[i]) <= 1e-6 * Math.abs(reference.w[i]), `n=${n} w[${i}]`),
    );
    assert.ok(Math.abs(simd.squared - reference.squared) <= 1e-5 * reference.squared, `n=${n} ΣΔ²`);
    // Σ w² of each path's own new weights, where it takes them: the reference always, in
    // float64 (exact but for the order); SIMD natively or from WASM_WEIGHT_SQUARES_MIN, in
    // float32 groups of eight (at most 8·2⁻²⁴ of relative error).
    assert.equal(simd.weights !== undefined, takesWeightSquares(n), `n=${n}: Σ w² taken`);
    for (const [path, rtol] of [
      [simd, 5e-7],
      [reference, 1e-12],
    ] as const) {
      if (path === simd && !takesWeightSquares(n)) continue;
      assert.notEqual(path.weights, undefined, `n=${n}: Σ w² taken`);
      const exact = path.w.reduce((sum, w) => sum + w * w, 0);
      assert.ok(Math.abs(path.weights! - exact) <= rtol * exact, `n=${n} Σw² ${path.weights}`);
    }
  }
});

test('Adam takes Σ w² exactly where float32 squares overflow or underflow, and NaN shows', () => {
  // Lengths of whole groups (128), of a group and tails, and of a split update's blocks; the
  // first two are taken natively only (takesWeightSquares).
  for (const n of [128, 300, 100_003].filter(takesWeightSquares)) {
    const g = Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.01);
    // Without gradients, weights of 1e-25 stay so (an update of about lrT would not).
    for (const [w0, grad] of [
      [1e25, g],
      [1e-25, new Array<number>(n).fill(0)],
    ] as const) {
      const { simd } = adamBoth([...grad], w0);
      const exact = simd.w.reduce((sum, w) => sum + w * w, 0);
      assert.ok(Number.isFinite(exact) && exact > 0, `n=${n} w0=${w0}: a finite Σ w² > 0`);
      // Float64 sums in two orders (float32 squares would give Infinity or 0 here).
      assert.ok(
        Math.abs(simd.weights! - exact) <= 1e-9 * exact,
        `n=${n} w0=${w0}: ${simd.weights}`,
      );
    }
    const { simd } = adamBoth(g.map((x, i) => (i === n - 7 ? NaN : x)));
    assert.ok(Number.isNaN(simd.weights), `n=${n}: a NaN gradient gives a NaN weight and Σ w²`);
  }
});

test('Adam without the update norm: the same weights and moments, bit for bit, and 0', () => {
  for (const n of [1, 5, 12, 13, 21, 64]) {
    const g = Array.from({ length: n }, (_, i) => Math.cos(i + 2) * 0.01);
    const measured = adamBoth(g, 0.5, true);
    const unmeasured = adamBoth(g, 0.5, false);
    for (const path of ['simd', 'reference'] as const) {
      const [a, b] = [measured[path], unmeasured[path]];
      assert.ok(a.squared > 0, `${path} n=${n}: measured ΣΔ² > 0`);
      assert.equal(b.squared, 0, `${path} n=${n}: unmeasured returns 0`);
      for (const key of ['w', 'm', 'v'] as const) {
        assert.ok(
          a[key].every((x, i) => Object.is(x, b[key][i])),
          `${path} n=${n}: ${key} differs`,
        );
      }
    }
  }
});

test('Adam: a NaN or infinite gradient reaches the weights in SIMD lanes too', () => {
  for (const bad of [NaN, Infinity]) {
    // Index 1 sits in the first 4-wide lane group; index 9 in the scalar tail.
    const g = Array.from({ length: 10 }, (_, i) => (i === 1 || i === 9 ? bad : 0.01));
    const { simd, reference } = adamBoth(g);
    for (const i of [1, 9]) {
      assert.ok(!Number.isFinite(simd.w[i]), `simd w[${i}] with g=${bad}`);
      assert.ok(!Number.isFinite(reference.w[i]), `reference w[${i}] with g=${bad}`);
    }
    assert.ok(!Number.isFinite(simd.squared), `simd ΣΔ² with g=${bad}`);
    assert.equal(simd.w[0], reference.w[0]);
  }
});

test('Adam: moments too small to matter are flushed to zero, not left subnormal', () => {
  const { simd } = adamBoth([1e-36, 1e-36, 1e-36, 1e-36, 1e-36]);
  // m would be 1e-37 (below 1e-30): flushed; w unchanged.
  assert.deepEqual(simd.m, [0, 0, 0, 0, 0]);
  assert.deepEqual(simd.w, [0.5, 0.5, 0.5, 0.5, 0.5]);
});

/** Adam's Δ of each step for each gradient sequence, in float64 as the reference defines it. */
function deltas(sequences: number[][], { lrT, a1, a2, epsilon }: AdamStep): number[] {
  return sequences.flatMap((gs) => {
    let m = 0;
    let v = 0;
    return gs.map((g) => {
      m += (g - m) * a1;
      v += (g * g - v) * a2;
      return (lrT * m) / (Math.sqrt(v) + epsilon);
    });
  });
}

test('Adam: the scale of Δ before squaring bounds every scaled Δ by 2^44, however gradients go', () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  // Random gradients, and the worst cases for |m|/√v: a burst then silence, and steady growth.
  const sequences = [
    Array.from({ length: 500 }, () => (random() - 0.5) * 10 ** (6 * random() - 3)),
    [...new Array(5).fill(1e3), ...new Array(300).fill(0)],
    Array.from({ length: 300 }, (_, t) => 1.02 ** t),
    Array.from({ length: 300 }, (_, t) => (t % 2 === 0 ? 1 : -1) * 0.9 ** -t),
  ];
  for (const step of [STEP, { ...STEP, lrT: 1e-6 }, { ...STEP, lrT: 30, a1: 0.5 }]) {
    const scale = squareScale(step);
    assert.ok(scale > 0, `scale for ${JSON.stringify(step)}`);
    assert.equal(Math.log2(scale) % 1, 0, 'a power of two');
    const largest = Math.max(...deltas(sequences, step).map(Math.abs));
    assert.ok(largest * scale <= 2 ** 44, `largest scaled Δ 2^${Math.log2(largest * scale)}`);
    assert.ok(largest * scale >= 2 ** 36, 'the bound is not loose by more than 2^8 here');
  }
  // No bound where β1² ≥ β2, or without a positive finite step size: the guarded sum is used.
  assert.equal(squareScale({ ...STEP, a2: 0.5 }), 0);
  for (const lrT of [0, -1, NaN, Infinity])
    assert.equal(squareScale({ ...STEP, lrT }), 0, `${lrT}`);
});

test('Adam: Σ Δ² of updates too small to square in float32 is measured, not zeroed', () => {
  // |Δ| ≈ 1e-17 each: Δ² ≈ 1e-34 would be left out by a guard against subnormal squares.
  const g = Array.from({ length: 21 }, (_, i) => (i % 3 === 0 ? -1 : 1) * 1e-20);
  const { simd, reference } = adamBoth(g);
  assert.ok(reference.squared > 1e-33, `reference ΣΔ² ${reference.squared}`);
  assert.ok(
    Math.abs(simd.squared - reference.squared) <= 1e-5 * reference.squared,
    `${simd.squared}`,
  );
});

test('Adam: Σ Δ² equals the reference with large steps, and with betas that bound no Δ', () => {
  const g = Array.from({ length: 37 }, (_, i) => Math.sin(i + 1) * 10 ** (i % 7));
  for (const step of [
    { ...STEP, lrT: 100 },
    { ...STEP, a2: 0.5 },
  ]) {
    const { simd, reference } = adamBoth(g, 0.5, true, step);
    assert.ok(Number.isFinite(simd.squared) && simd.squared > 0, `${JSON.stringify(step)}`);
    const close = Math.abs(simd.squared - reference.squared) <= 1e-5 * reference.squared;
    assert.ok(close, `${JSON.stringify(step)}: ${simd.squared} vs ${reference.squared}`);
  }
});

test('Adam: Σ Δ² stays finite where a tiny ε lets gradients the moments leave out make Δ large', () => {
  // g below 1e-15 is left out of v (so v stays 0) but not of m: Δ = lrT·m/ε, far above
  // lrT·a1/√(a2·(1 − β1²/β2)), the bound without the guards.
  const step = { ...STEP, epsilon: 1e-30 };
  const g = Array.from({ length: 21 }, (_, i) => (i % 2 === 0 ? 1 : -1) * 1e-16);
  const { simd } = adamBoth(g, 0, true, step);
  // From w = 0, the weights after the step are −Δ.
  const applied = simd.w.reduce((sum, w) => sum + w * w, 0);
  assert.ok(applied > 1e15 && Number.isFinite(applied), `Σ Δ² of the applied steps ${applied}`);
  assert.ok(Math.abs(simd.squared - applied) <= 1e-5 * applied, `${simd.squared} vs ${applied}`);
});
