/**
 * A softmax Dense layer keeps each row's max and Σ exp(z − max) (Layer.logitRowStats), and the
 * fused cross-entropies take log-sum-exp from them instead of computing the exps again: the same
 * bits as from the logits alone, at every batch size the layer sees.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Dense } from '../../src/engine/layers/dense.js';
import { losses } from '../../src/engine/losses.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';
import { normalValues } from './support.js';

const FEATURES = 6;
const CLASSES = 5;

test('a softmax layer keeps its rows’ sums, and the fused losses give the same bits from them', () => {
  const rng = new RandomState(7);
  const layer = new Dense({ units: CLASSES, activation: 'softmax', inputShape: [FEATURES] });
  layer.build([FEATURES], rng);
  for (const rows of [9, 4]) {
    const x = Tensor.fromArray([rows, FEATURES], normalValues(rng, rows * FEATURES, 3));
    const p = layer.forward(x, { training: true, rng }).data;
    const z = layer.preActivation!.data;
    const stats = layer.logitRowStats!;
    assert.equal(stats.length, 2 * rows);
    for (let r = 0; r < rows; r++) {
      const row = z.subarray(r * CLASSES, (r + 1) * CLASSES);
      assert.equal(stats[2 * r], Math.max(...row), `row ${r}: max`);
    }
    const sparse = Float32Array.from({ length: rows }, (_, r) => r % CLASSES);
    const oneHot = Float32Array.from({ length: rows * CLASSES }, (_, i) =>
      i % CLASSES === Math.floor(i / CLASSES) % CLASSES ? 1 : 0,
    );
    for (const [name, y] of [
      ['sparse_categorical_crossentropy', sparse],
      ['categorical_crossentropy', oneHot],
    ] as const) {
      const loss = losses[name];
      const fromLogits = loss.compute(p, y, rows, CLASSES, z);
      assert.equal(
        loss.compute(p, y, rows, CLASSES, z, stats),
        fromLogits,
        `${name}, ${rows} rows`,
      );
      // The sums are what is read: doubling one row's changes the loss.
      const doubled = Float64Array.from(stats);
      doubled[1] *= 2;
      assert.notEqual(loss.compute(p, y, rows, CLASSES, z, doubled), fromLogits, name);
    }
    x.dispose();
  }
});

test('a layer whose output is not softmax keeps no row sums', () => {
  const rng = new RandomState(8);
  const layer = new Dense({ units: CLASSES, activation: 'relu', inputShape: [FEATURES] });
  layer.build([FEATURES], rng);
  const x = Tensor.fromArray([3, FEATURES], normalValues(rng, 3 * FEATURES, 1));
  layer.forward(x, { training: true, rng });
  assert.equal(layer.logitRowStats, null);
  x.dispose();
});
