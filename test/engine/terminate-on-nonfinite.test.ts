/**
 * TerminateOnNonFinite: stops at the first non-finite step and names where it began. Each case
 * plants one non-finite value where the step computes it (a callback placed before the stopper
 * writes into the glass-box buffers), so the localisation is checked quantity by quantity.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Callback, StepContext } from '../../src/engine/callbacks.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';
import { TerminateOnNonFinite } from '../../src/engine/terminate-on-nonfinite.js';
import { normalValues } from './support.js';

function model(): Sequential {
  return new Sequential({
    name: 'm',
    seed: 1,
    layers: [
      new Dense({ units: 4, activation: 'relu', inputShape: [3] }),
      new Dense({ units: 4, activation: 'relu' }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  }).compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
}

const data = arrayDataset(
  normalValues(new RandomState(2), 64 * 3),
  [3],
  Array.from({ length: 64 }, (_, i) => i % 2),
);

/** Runs 10 steps of batch 8 with `plant` called at `step` (before the stopper). */
function fitWithPlant(plant: Callback): {
  stopper: TerminateOnNonFinite;
  steps: number;
  losses: number[];
} {
  const m = model();
  const stopper = new TerminateOnNonFinite();
  const losses: number[] = [];
  const counter: Callback = { onBatchEnd: (c) => void losses.push(c.loss) };
  m.fit(data, { epochs: 2, batchSize: 8, maxSteps: 10, callbacks: [plant, stopper, counter] });
  return { stopper, steps: m.optimizer!.iterations, losses };
}

const at =
  (step: number, act: (c: StepContext) => void): ((c: StepContext) => void) =>
  (c) => {
    if (c.step === step) act(c);
  };

test('a run that stays finite is not stopped', () => {
  const { stopper, steps } = fitWithPlant({});
  assert.equal(stopper.divergence, null);
  assert.equal(steps, 10);
});

test('a non-finite gradient of dense_2/kernel is named as such, and training stops after that step', () => {
  const { stopper, steps } = fitWithPlant({
    onGradients: at(3, (c) => {
      c.model.layer('dense_2').variable('kernel').trainableGrad.data[1] = NaN;
    }),
  });
  assert.equal(steps, 4, 'the step that went non-finite is finished, then fit stops');
  assert.equal(stopper.divergence?.step, 3);
  assert.equal(stopper.divergence?.quantity, 'the gradient of dense_2/kernel');
  assert.equal(stopper.divergence?.layer, 'dense_2');
  assert.match(
    stopper.divergence!.message,
    /^m: training diverged at step 3 \(epoch 1, batch 4\): the first non-finite value is the gradient of dense_2\/kernel/,
  );
});

test('∂L/∂a comes before the gradients of the layers below it', () => {
  const { stopper } = fitWithPlant({
    onGradients: at(2, (c) => {
      c.model.layer('dense_2').outputGrad!.data[0] = Infinity;
      c.model.layer('dense_1').variable('kernel').trainableGrad.data[0] = NaN;
    }),
  });
  assert.equal(stopper.divergence?.quantity, '∂L/∂a at dense_2');
});

test('weights that go non-finite in the update are named after the update', () => {
  // A finite weight and gradient whose update overflows float32: the update's own Σw² shows it.
  const { stopper, steps } = fitWithPlant({
    onGradients: at(5, (c) => {
      const kernel = c.model.layer('dense_1').variable('kernel');
      kernel.value.data[2] = 3.4e38;
      kernel.trainableGrad.data[2] = -1e38;
    }),
  });
  assert.equal(steps, 6);
  assert.equal(stopper.divergence?.quantity, 'the weights of dense_1/kernel after the update');
});

test('a weight another callback makes non-finite after the update is found at the next one', () => {
  // The update measured the weights it wrote; the next update writes this one again.
  const { stopper, steps } = fitWithPlant({
    onBatchEnd: at(5, (c) => {
      c.model.layer('dense_1').variable('kernel').value.data[2] = -Infinity;
    }),
  });
  assert.equal(steps, 7);
  assert.equal(stopper.divergence?.step, 6);
});

function twoLayers(): Sequential {
  return new Sequential({
    name: 'big',
    seed: 1,
    layers: [
      new Dense({ units: 4, activation: 'relu', inputShape: [3] }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  }).compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
}

/** Fits `m` for up to 3 epochs; returns the stopper and the steps finished. */
function fitToStop(m: Sequential): { stopper: TerminateOnNonFinite; steps: number } {
  const stopper = new TerminateOnNonFinite();
  m.fit(data, { epochs: 3, batchSize: 8, callbacks: [stopper] });
  return { stopper, steps: m.optimizer!.iterations };
}

test('logits that overflow float32 make the loss the first non-finite value', () => {
  const m = twoLayers();
  // Hidden units near 1e30 times weights of -1e30: logits of -1e60 are -Infinity in float32,
  // while every layer's output stays finite (the sigmoid gives 0).
  m.layer('dense_1').variable('kernel').value.fill(1e30);
  m.layer('dense_2').variable('kernel').value.fill(-1e30);
  const { stopper, steps } = fitToStop(m);
  assert.equal(steps, 1);
  assert.equal(stopper.divergence?.step, 0);
  assert.equal(stopper.divergence?.quantity, 'the loss');
  assert.equal(stopper.divergence?.layer, undefined);
  assert.ok(m.stopTraining);
});

test('an infinite weight makes the output of its layer the first non-finite value', () => {
  const m = twoLayers();
  m.layer('dense_1').variable('bias').value.fill(Infinity);
  const { stopper, steps } = fitToStop(m);
  assert.equal(steps, 1);
  assert.equal(stopper.divergence?.quantity, 'the output of dense_1');
});
