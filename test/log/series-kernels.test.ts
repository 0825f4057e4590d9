import test from 'node:test';
import assert from 'node:assert/strict';
import { medianInPlace } from '../../src/engine/statistics.js';
import { bucketFinite, finiteMedianOf, medianOf } from '../../src/log/series-kernels.js';
import { computeHistogram } from '../../src/log/histograms.js';

// The JavaScript that assembly/series.ts replaced (log/histograms.ts before it), as the
// reference: each result must be the same to the last bit.
function referenceBuckets(values: ArrayLike<number>, bucketCount: number) {
  let min = Infinity;
  let max = -Infinity;
  let finiteCount = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) continue;
    finiteCount++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const counts = new Float64Array(bucketCount);
  if (finiteCount > 0 && min !== max) {
    const width = (max - min) / bucketCount;
    const last = bucketCount - 1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value - value !== 0) continue;
      const k = ((value - min) / width) | 0;
      counts[k < last ? k : last] += 1;
    }
  }
  return { min, max, finiteCount, counts: [...counts] };
}

/** A seeded sequence in [0, 1) (a linear congruential generator), so failures reproduce. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 1e308, -1e308, 3.4e38];

/** Inputs of every kind the callers give: scales, repeats, non-finite values, the extremes. */
function inputs(): number[][] {
  const cases: number[][] = [
    [],
    [1],
    [2, 2, 2],
    [NaN, Infinity],
    [0, -0],
    [0, 5e-324],
    [-1e308, 1e308],
  ];
  for (let seed = 1; seed <= 40; seed++) {
    const next = uniform(seed);
    const length = Math.floor(next() * 3000);
    const scale = 10 ** Math.floor(next() * 12 - 6);
    const values = Array.from({ length }, () => {
      const r = next();
      if (r < 0.02) return SPECIALS[Math.floor(next() * SPECIALS.length)];
      if (r < 0.1) return Math.round(next() * 4) * scale; // repeats
      return (next() - 0.5) * scale;
    });
    cases.push(values);
  }
  return cases;
}

test('bucketFinite gives the range and counts of the JavaScript loops, float64 and float32', () => {
  for (const values of inputs()) {
    for (const input of [values, Float32Array.from(values), Float64Array.from(values)]) {
      for (const buckets of [1, 7, 30]) {
        const got = bucketFinite(input, buckets);
        const { min, max, finiteCount } = got;
        const want = referenceBuckets(input, buckets);
        assert.deepEqual({ min, max, finiteCount, counts: [...got.counts] }, want);
        assert.ok(Object.is(min, want.min) && Object.is(max, want.max), 'signed zeros kept');
      }
    }
  }
});

/** Short inputs from a few values whose order matters: zeros of both signs, the non-finite. */
function laneInputs(): number[][] {
  const alphabet = [0, -0, 1, -1, 2, NaN, Infinity, -Infinity, 1e-45, -1e-45, 5e-324];
  const cases: number[][] = [];
  for (let seed = 1; seed <= 400; seed++) {
    const next = uniform(seed);
    const length = seed % 14;
    // The low seeds draw from zeros and non-finite values alone, so zeros are the extremes.
    const kinds = seed < 200 ? 3 : alphabet.length;
    const pick = () => alphabet[[0, 1, 5, 2, 3, 4, 6, 7, 8, 9, 10][Math.floor(next() * kinds)]];
    cases.push(Array.from({ length }, pick));
  }
  return cases;
}

test('bucketFinite keeps the first zero extreme and every tail, whatever the SIMD lane', () => {
  for (const values of laneInputs()) {
    for (const input of [Float32Array.from(values), Float64Array.from(values)]) {
      for (const buckets of [1, 2, 30]) {
        const got = bucketFinite(input, buckets);
        const want = referenceBuckets(input, buckets);
        const label = `${[...input].map((v) => (Object.is(v, -0) ? '-0' : v))} in ${buckets}`;
        assert.ok(Object.is(got.min, want.min) && Object.is(got.max, want.max), label);
        assert.equal(got.finiteCount, want.finiteCount, label);
        assert.deepEqual([...got.counts], want.counts, label);
      }
    }
  }
});

test('computeHistogram edges are those of numpy.linspace, the last one pinned to max', () => {
  for (const values of [...inputs(), ...laneInputs()]) {
    const want = referenceBuckets(values, 7);
    const { buckets, nonFiniteCount } = computeHistogram(values, 7);
    assert.equal(nonFiniteCount, values.length - want.finiteCount);
    const width = (want.max - want.min) / 7;
    buckets.forEach((bucket, i) => {
      if (want.finiteCount === 0) return assert.deepEqual(bucket, { left: 0, right: 0, count: 0 });
      if (want.min === want.max) {
        assert.ok(Object.is(bucket.left, want.min) && Object.is(bucket.right, want.min));
        return assert.equal(bucket.count, i === 6 ? want.finiteCount : 0);
      }
      assert.ok(Object.is(bucket.left, i * width + want.min));
      assert.ok(Object.is(bucket.right, i === 6 ? want.max : (i + 1) * width + want.min));
      assert.equal(bucket.count, want.counts[i]);
    });
  }
});

test('bucketFinite counts a value ToInt32 makes negative nowhere, as typed arrays did', () => {
  // max − min is a subnormal: its thirtieth underflows to 0 and the quotient is Infinity or NaN.
  const values = [0, 5e-324, 1e-323];
  assert.deepEqual([...bucketFinite(values, 30).counts], referenceBuckets(values, 30).counts);
});

test('computeHistogram grows the memory for a large input and still fits a small one after', () => {
  const next = uniform(7);
  const large = Float32Array.from({ length: 300_000 }, () => next() - 0.5);
  const want = referenceBuckets(large, 30);
  const got = computeHistogram(large, 30);
  assert.deepEqual(
    got.buckets.map((b) => b.count),
    want.counts,
  );
  assert.equal(got.buckets[0].left, want.min);
  assert.equal(got.buckets[29].right, want.max);
  assert.deepEqual(
    computeHistogram([1, 2, 3], 2).buckets.map((b) => b.count),
    [1, 2],
  );
});

test('medianOf and finiteMedianOf equal medianInPlace, and leave their input as it was', () => {
  for (const values of inputs()) {
    if (values.length === 0) {
      assert.ok(Number.isNaN(medianOf(values)));
      assert.ok(Number.isNaN(finiteMedianOf(values)));
      continue;
    }
    const before = [...values];
    const want = medianInPlace(Float64Array.from(values));
    assert.ok(Object.is(medianOf(values), want), `median of ${values.length} values`);
    assert.deepEqual(values, before);
    const finite = values.filter(Number.isFinite);
    const wantFinite = finite.length === 0 ? NaN : medianInPlace(Float64Array.from(finite));
    assert.ok(Object.is(finiteMedianOf(Float64Array.from(values)), wantFinite));
  }
});
