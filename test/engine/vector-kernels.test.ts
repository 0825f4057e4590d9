/** The SIMD vector kernels (assembly/vector.ts) against the plain-TypeScript reference. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, type Backend } from '../../src/engine/kernels/index.js';
import { Tensor } from '../../src/engine/tensor.js';

const STEP = { lrT: 0.01, a1: 0.1, a2: 0.001, epsilon: 1e-7 };

function adamBoth(g: number[], w0 = 0.5, measure = true) {
  const run = (kernels: Backend) => {
    const n = g.length;
    const w = Tensor.fromArray([n], new Array(n).fill(w0));
    const grad = Tensor.fromArray([n], g);
    const m = Tensor.zeros([n]);
    const v = Tensor.zeros([n]);
    const squared = kernels.adam(w, grad, m, v, STEP, measure);
    return { w: w.toArray(), m: m.toArray(), v: v.toArray(), squared };
  };
  return { simd: run(BACKENDS.simd), reference: run(BACKENDS.reference) };
}

test('Adam: SIMD equals the reference on every length, lanes and tail alike', () => {
  for (const n of [1, 3, 4, 5, 8, 12, 13, 21, 64]) {
    const g = Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.01);
    const { simd, reference } = adamBoth(g);
    simd.w.forEach((w, i) =>
      assert.ok(Math.abs(w - reference.w[i]) <= 1e-6 * Math.abs(reference.w[i]), `n=${n} w[${i}]`),
    );
    assert.ok(Math.abs(simd.squared - reference.squared) <= 1e-5 * reference.squared, `n=${n} ΣΔ²`);
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
