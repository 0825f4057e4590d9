/** The series statistics give the same answer on columns as on points. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { pointColumns } from '../../src/log/scalar-columns.js';
import { seriesOf } from '../../src/diagnose/run-data.js';
import {
  atCommonSteps,
  finiteMax,
  finiteMedian,
  spanLength,
  stepsWhere,
} from '../../src/diagnose/series.js';

const points = (steps: number[], values: number[]) =>
  steps.map((step, i) => ({ step, wallTime: 0, value: values[i] }));

test('atCommonSteps pairs by step, aligned or not, on points or columns, keeping what is asked', () => {
  const a = points([0, 1, 2, 3], [1, 2, 3, 4]);
  const aligned = points([0, 1, 2, 3], [10, 20, 30, 40]);
  const sparse = points([1, 3, 3, 5], [20, 39, 40, 60]);
  const columns = (steps: number[], x: number[], y: number[]) => ({
    steps: Float64Array.from(steps),
    a: Float64Array.from(x),
    b: Float64Array.from(y),
  });
  const expectedAligned = columns([0, 1, 2, 3], [1, 2, 3, 4], [10, 20, 30, 40]);
  assert.deepEqual(atCommonSteps(a, aligned), expectedAligned);
  assert.deepEqual(atCommonSteps(pointColumns(a), pointColumns(aligned)), expectedAligned);
  // Step 3 repeats in `sparse`: its last value counts.
  const expectedSparse = columns([1, 3], [2, 4], [20, 40]);
  assert.deepEqual(atCommonSteps(a, sparse), expectedSparse);
  assert.deepEqual(atCommonSteps(pointColumns(a), pointColumns(sparse)), expectedSparse);
  // 'finitePositive': both finite and b > 0, by place (aligned) or by step (sparse).
  const odd = points([0, 1, 2, 3], [1, NaN, 3, 4]);
  const signs = points([0, 1, 2, 3], [10, 20, -30, Infinity]);
  assert.deepEqual(atCommonSteps(odd, signs, 'finitePositive'), columns([0], [1], [10]));
  const sparseSigns = points([0, 3, 5], [0, 40, 60]);
  assert.deepEqual(atCommonSteps(odd, sparseSigns, 'finitePositive'), columns([3], [4], [40]));
});

test('the finite median skips NaN and infinities on columns too', () => {
  const series = points([0, 1, 2, 3, 4], [3, NaN, 1, Infinity, 2]);
  assert.equal(finiteMedian(pointColumns(series)), 2);
  assert.equal(finiteMedian(series), 2);
  assert.ok(Number.isNaN(finiteMedian(points([0], [NaN]))));
});

test('a series makes its point objects only when asked, from its columns', () => {
  const columns = pointColumns(points([5, 6], [0.5, 0.25]));
  const series = seriesOf('loss', columns);
  assert.equal(series.columns, columns);
  assert.deepEqual(series.points, points([5, 6], [0.5, 0.25]));
  assert.equal(series.points, series.points, 'made once');
});

test('column scans: the finite maximum, steps where a value holds', () => {
  const values = Float64Array.from([3, NaN, 1, Infinity, -Infinity, 2]);
  assert.equal(finiteMax(values), 3);
  assert.equal(finiteMax(Float64Array.from([NaN, Infinity])), -Infinity);
  const columns = pointColumns(points([10, 20, 30, 40], [1, 5, 2, 7]));
  assert.deepEqual(
    stepsWhere(columns, (v) => v > 1.5),
    { first: 20, last: 40 },
  );
  assert.equal(
    stepsWhere(columns, (v) => v > 10),
    undefined,
  );
  assert.equal(spanLength(1876, 0.1), 188);
  assert.equal(spanLength(3, 0.1), 1);
  assert.equal(spanLength(0, 0.1), 0);
});
