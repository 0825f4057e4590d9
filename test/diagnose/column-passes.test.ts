/** The rules' column passes in WebAssembly give what the JavaScript they replaced gave. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { RandomState } from '../../src/engine/random.js';
import { medianOf } from '../../src/log/series-kernels.js';
import {
  finiteCount,
  finiteMax,
  finitePoints,
  finitePositivePairs,
  firstAtLeast,
  mean,
  medianOfRatios,
  sameSteps,
} from '../../src/diagnose/column-passes.js';

const ODD_VALUES = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 1e308, -1e308];

/** Seeded columns of every kind the rules read: empty, short, long, with odd values mixed in. */
function columns(seed: number): Float64Array {
  const rng = new RandomState(seed);
  const length = [0, 1, 2, 3, 64][seed] ?? rng.randint(4, 3000);
  const scale = 10 ** rng.randint(-6, 6);
  return Float64Array.from({ length }, () => {
    const r = rng.randomSample();
    if (r < 0.05) return ODD_VALUES[rng.randint(0, ODD_VALUES.length)];
    if (r < 0.15) return rng.randint(-2, 3) * scale; // repeats, zeros and negatives
    return (rng.randomSample() - 0.25) * scale;
  });
}

const SEEDS = Array.from({ length: 30 }, (_, seed) => seed);

/** Steps 0, 1, 2, …: what probes log. */
const stepsOf = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

test('finitePoints keeps the finite values and their steps, in order', () => {
  for (const seed of SEEDS) {
    const values = columns(seed);
    const steps = stepsOf(values.length);
    const before = values.slice();
    const got = finitePoints(steps, values);
    const kept = [...values.keys()].filter((i) => Number.isFinite(values[i]));
    assert.ok(
      same(
        got.values,
        kept.map((i) => values[i]),
      ),
      `seed ${seed}`,
    );
    assert.ok(same(got.steps, kept), `seed ${seed}`);
    assert.ok(same(values, before), 'input left as it was');
  }
});

test('finitePositivePairs keeps the places where both are finite and b is positive', () => {
  for (const seed of SEEDS) {
    const a = columns(seed);
    const b = columns(seed + 100).subarray(0, a.length);
    if (b.length < a.length) continue;
    const steps = stepsOf(a.length);
    const got = finitePositivePairs(steps, a, b);
    const kept = [...a.keys()].filter(
      (i) => Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] > 0,
    );
    assert.ok(same(got.steps, kept), `seed ${seed}`);
    assert.ok(
      same(
        got.a,
        kept.map((i) => a[i]),
      ),
      `seed ${seed}`,
    );
    assert.ok(
      same(
        got.b,
        kept.map((i) => b[i]),
      ),
      `seed ${seed}`,
    );
  }
});

test('sameSteps: equal, each larger than the one before', () => {
  const steps = stepsOf(100);
  assert.equal(sameSteps(steps, steps.slice()), true);
  assert.equal(sameSteps(new Float64Array(0), new Float64Array(0)), true);
  assert.equal(sameSteps(steps, steps.subarray(0, 99)), false, 'lengths differ');
  const moved = steps.slice();
  moved[50] = 50.5;
  assert.equal(sameSteps(steps, moved), false, 'a step differs');
  const repeated = Float64Array.from([0, 1, 1, 2]);
  assert.equal(sameSteps(repeated, repeated.slice()), false, 'a step repeats');
  const withNaN = Float64Array.from([0, NaN, 2]);
  assert.equal(sameSteps(withNaN, withNaN.slice()), false, 'NaN equals nothing');
});

test('firstAtLeast finds the first value at or above the limit, -1 for none', () => {
  for (const seed of SEEDS) {
    const values = columns(seed);
    for (const limit of [0, 1e-3, 1e5, Infinity, -Infinity]) {
      assert.equal(
        firstAtLeast(values, limit),
        values.findIndex((v) => v >= limit),
        `seed ${seed} limit ${limit}`,
      );
    }
  }
});

test('medianOfRatios is medianOf of the ratios, to the last bit', () => {
  assert.ok(Number.isNaN(medianOfRatios(new Float64Array(0), new Float64Array(0))));
  for (const seed of SEEDS) {
    const a = columns(seed);
    const b = columns(seed + 200).subarray(0, a.length);
    if (b.length < a.length || a.length === 0) continue;
    const ratios = a.map((x, i) => x / b[i]);
    assert.ok(Object.is(medianOfRatios(a, b), medianOf(ratios)), `seed ${seed}`);
  }
});

test('finiteCount, finiteMax and mean give what their JavaScript loops gave', () => {
  for (const seed of SEEDS) {
    const values = columns(seed);
    let count = 0;
    let largest = -Infinity;
    let sum = 0;
    for (const value of values) {
      if (Number.isFinite(value)) count++;
      if (value > largest && value !== Infinity) largest = value;
      sum += value;
    }
    for (const input of [values, Array.from(values)]) {
      assert.equal(finiteCount(input), count, `seed ${seed}`);
      assert.ok(Object.is(finiteMax(input), largest), `seed ${seed}`);
      assert.ok(Object.is(mean(input), sum / values.length), `seed ${seed}`);
    }
  }
});
