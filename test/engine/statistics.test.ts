/** The median by selection agrees with the median of the sorted values. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { median } from '../../src/engine/statistics.js';
import { RandomState } from '../../src/engine/random.js';

function sortedMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

test('median: odd and even counts, ties, sorted and reversed input, and an empty list', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5, 5, 5, 5]), 5);
  assert.equal(median([-Infinity, 1, Infinity]), 1);
  assert.throws(() => median([]), /expected at least one value/);
  const random = new RandomState(7);
  for (let trial = 0; trial < 500; trial++) {
    const n = random.randint(1, 41);
    // Few distinct values, so that ties are common.
    const values = Array.from({ length: n }, () => random.randint(0, 6));
    if (trial % 3 === 1) values.sort((a, b) => a - b);
    if (trial % 3 === 2) values.sort((a, b) => b - a);
    assert.equal(median(values), sortedMedian(values), JSON.stringify(values));
  }
});
