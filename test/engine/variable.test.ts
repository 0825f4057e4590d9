/**
 * Variable's lazy zeroing: after `zeroGrad` every reader sees zeros, and a kernel that writes
 * the gradient whole (`gradToWrite`) overwrites it instead of adding to zeros, once.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Dense } from '../../src/engine/layers/dense.js';
import { Variable } from '../../src/engine/layers/variable.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';
import { Tensor } from '../../src/engine/tensor.js';
import { assertClose } from './support.js';

test('zeroGrad: the gradient reads as zeros, whichever getter reads it', () => {
  const v = new Variable('dense_1/kernel', [2, 2], Float32Array.from([1, 2, 3, 4]), true);
  v.trainableGrad.data.set([5, 6, 7, 8]);
  v.zeroGrad();
  assert.deepEqual(v.grad!.toArray(), [0, 0, 0, 0]);
  v.trainableGrad.data.set([5, 6, 7, 8]);
  v.zeroGrad();
  assert.deepEqual(v.trainableGrad.toArray(), [0, 0, 0, 0]);
});

test('gradToWrite: overwrite once after zeroGrad, then add; a non-trainable variable throws', () => {
  const v = new Variable('dense_1/kernel', [3], Float32Array.from([1, 2, 3]), true);
  v.trainableGrad.data.set([9, 9, 9]);
  v.zeroGrad();
  const first = v.gradToWrite();
  assert.equal(first.accumulate, false);
  // Still the stale values: the kernel is about to overwrite them, so nothing zeroed them.
  assert.deepEqual(first.grad.toArray(), [9, 9, 9]);
  assert.equal(v.gradToWrite().accumulate, true);
  assert.deepEqual(v.grad!.toArray(), [9, 9, 9], 'no later read zeroes a written gradient');
  const frozen = new Variable('dense_1/bias', [3], new Float32Array(3), false);
  assert.equal(frozen.grad, null);
  assert.throws(() => frozen.gradToWrite(), /expected a trainable variable/);
});

test('a Dense layer called twice in a step adds its second kernel gradient to its first', () => {
  const model = new Sequential({ layers: [new Dense({ units: 3, inputShape: [4] })] }).build();
  const dense = model.layers[0] as Dense;
  const random = new RandomState(3);
  const x = Tensor.fromArray([2, 4], random.uniform(-1, 1, 8));
  const g = Tensor.fromArray([2, 3], random.uniform(-1, 1, 6));
  const step = { training: true, rng: new RandomState(0) };
  const once = (): number[] => {
    dense.kernel.zeroGrad();
    dense.forward(x, step);
    dense.backward(g, false);
    return dense.kernel.grad!.toArray();
  };
  const single = once();
  dense.kernel.zeroGrad();
  for (let i = 0; i < 2; i++) {
    dense.forward(x, step);
    dense.backward(g, false);
  }
  // Added in the kernel's order (C + Σ x·g), so equal to twice one gradient up to rounding.
  assertClose(
    dense.kernel.grad!.toArray(),
    single.map((s) => 2 * s),
    { rtol: 1e-6, atol: 1e-7 },
    'twice',
  );
  assert.deepEqual(once(), single, 'zeroGrad then one backward: the same gradient again');
});
