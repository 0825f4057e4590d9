/**
 * GradientProbes against values recomputed in the test from what the model holds after `fit`:
 * the gradients of the last step (SGD leaves them in place), the weights after it, each layer's
 * output and ∂L/∂output. References use plain loops (test/probe/support.ts).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { makeClipper } from '../../src/engine/clipping.js';
import { SGD } from '../../src/engine/optimizers/index.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { TerminateOnNonFinite } from '../../src/engine/terminate-on-nonfinite.js';
import { GradientProbes } from '../../src/probe/gradient-probes.js';
import {
  afterEachStep,
  assertNear,
  assertRecorded,
  byStep,
  MEASURED_RTOL,
  formulaDataset,
  plainSquares,
  steps,
  threeLayerModel,
  memoryRun,
  readRun,
} from './support.js';

const data = formulaDataset(8, 3, 2);
const oneStep = { epochs: 1, batchSize: 8, shuffle: false } as const;

test('gradient and weight norms equal √Σx² of the variables, at steps 0 and 1', async () => {
  const model = threeLayerModel();
  const initial = model.trainableVariables.map((v) => Math.sqrt(plainSquares(v.value.data)));
  const { provider, sink } = memoryRun();
  const history = model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink })] });
  let total = 0;
  const records = await readRun(provider);
  model.trainableVariables.forEach((v, k) => {
    const gradSquares = plainSquares(v.grad!.data);
    total += gradSquares;
    assertRecorded(
      byStep(records, `grad_norm/${v.name}`).get(0)!,
      Math.sqrt(gradSquares),
      MEASURED_RTOL,
      v.name,
    );
    const weights = byStep(records, `weight_norm/${v.name}`);
    assert.deepEqual([...weights.keys()], [0, 1]);
    assertRecorded(weights.get(0)!, initial[k], 1e-12, `${v.name} initial`);
    assertRecorded(
      weights.get(1)!,
      Math.sqrt(plainSquares(v.value.data)),
      1e-12,
      `${v.name} after`,
    );
  });
  assertRecorded(
    byStep(records, 'global_norm/before_clip').get(0)!,
    Math.sqrt(total),
    MEASURED_RTOL,
    'global',
  );
  assertRecorded(
    byStep(records, 'global_norm/after_clip').get(0)!,
    Math.sqrt(total),
    MEASURED_RTOL,
    'global',
  );
  assert.deepEqual([...byStep(records, 'loss')], [[0, Math.fround(history.history.loss[0])]]);
  for (const tag of ['nonfinite/loss', 'nonfinite/gradients'])
    assert.deepEqual(records.series(tag), [{ step: 0, value: 0 }]);
  assert.deepEqual(steps(records, 'nonfinite/weights'), [0, 1]);
});

test('with an update that does not take Σw² (a subclass’s), the weight norms are measured after it', async () => {
  class Plain extends SGD {
    protected override update(w: Tensor, g: Tensor): number {
      for (let i = 0; i < w.size; i++) w.data[i] -= 0.01 * g.data[i];
      return 0;
    }
  }
  const model = threeLayerModel(new Plain());
  const { provider, sink } = memoryRun();
  const stopper = new TerminateOnNonFinite();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink }), stopper] });
  assert.equal(stopper.divergence, null, 'no Σw² is no non-finite weight');
  const records = await readRun(provider);
  for (const v of model.trainableVariables) {
    const after = Math.sqrt(plainSquares(v.value.data));
    assertRecorded(byStep(records, `weight_norm/${v.name}`).get(1)!, after, 1e-7, v.name);
  }
});

test('update ratio is ‖W₁ − W₀‖/‖W₁‖, read from the weights before and after the step', async () => {
  const model = threeLayerModel();
  const before = model.trainableVariables.map((v) => v.value.toArray());
  const { provider, sink } = memoryRun();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink })] });
  const records = await readRun(provider);
  model.trainableVariables.forEach((v, k) => {
    const delta = plainSquares(v.value.data.map((w, i) => w - before[k][i]));
    const expected = Math.sqrt(delta) / Math.sqrt(plainSquares(v.value.data));
    assert.deepEqual(steps(records, `update_ratio/${v.name}`), [1]);
    // The optimizer sums Δ before float32 rounding of w; the test reads rounded weights.
    assertRecorded(byStep(records, `update_ratio/${v.name}`).get(1)!, expected, 1e-5, v.name);
  });
});

test('signal norm is ‖∂L/∂a‖ of each layer; at the output it is mse’s 2(p − y)/(rows·cols)', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink })] });
  const records = await readRun(provider);
  for (const layer of model.layers) {
    const expected = Math.sqrt(plainSquares(layer.outputGrad!.data));
    assertRecorded(
      byStep(records, `signal_norm/${layer.name}`).get(0)!,
      expected,
      1e-12,
      layer.name!,
    );
  }
  const p = model.layers[2].output!.data;
  const y = Array.from({ length: 16 }, (_, i) => Math.fround(Math.cos(0.7 * i)));
  const signal = Math.sqrt(plainSquares(y.map((t, i) => (2 * (p[i] - t)) / 16)));
  assertRecorded(byStep(records, 'signal_norm/dense_3').get(0)!, signal, 1e-6, 'output signal');
});

test('activation mean and std match E[a] and √(E[a²] − E[a]²) of each output', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink })] });
  const records = await readRun(provider);
  for (const layer of model.layers) {
    const a = layer.output!.data;
    let sum = 0;
    for (const x of a) sum += x;
    const mean = sum / a.length;
    const std = Math.sqrt(plainSquares(a) / a.length - mean * mean);
    assertRecorded(
      byStep(records, `activation_mean/${layer.name}`).get(0)!,
      mean,
      1e-9,
      `${layer.name} mean`,
    );
    assertRecorded(
      byStep(records, `activation_std/${layer.name}`).get(0)!,
      std,
      1e-9,
      `${layer.name} std`,
    );
  }
  // Saturation only for sigmoid/tanh layers, dead units only for relu.
  assert.deepEqual(steps(records, 'dead_fraction/dense_1'), [0]);
  assert.deepEqual(steps(records, 'saturated_fraction/dense_2'), [0]);
  assert.deepEqual(steps(records, 'saturated_fraction/dense_3'), [0]);
  assert.deepEqual(steps(records, 'saturated_fraction/dense_1'), []);
  assert.deepEqual(steps(records, 'dead_fraction/dense_2'), []);
});

test("normKind 'squared' records Σx² under *_sq tags", async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink, normKind: 'squared' })] });
  const kernel = model.trainableVariables[0];
  const records = await readRun(provider);
  assertRecorded(
    byStep(records, 'grad_norm_sq/dense_1/kernel').get(0)!,
    plainSquares(kernel.grad!.data),
    MEASURED_RTOL,
    'grad',
  );
  assertRecorded(
    byStep(records, 'weight_norm_sq/dense_1/kernel').get(1)!,
    plainSquares(kernel.value.data),
    1e-12,
    'w',
  );
  const signal = plainSquares(model.layers[0].outputGrad!.data);
  assertRecorded(byStep(records, 'signal_norm_sq/dense_1').get(0)!, signal, 1e-12, 'signal');
  assert.deepEqual(records.series('grad_norm/dense_1/kernel'), []);
});

test('global norm before and after clipping come from the clipper', async () => {
  const optimizer = new SGD({ learningRate: 0.1, clipper: makeClipper({ globalClipnorm: 0.01 })! });
  const model = threeLayerModel(optimizer);
  const { provider, sink } = memoryRun();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink })] });
  // grad_norm is recorded before clipping; the gradients left in the model are clipped.
  let rawSquares = 0;
  const records = await readRun(provider);
  for (const v of model.trainableVariables)
    rawSquares += byStep(records, `grad_norm/${v.name}`).get(0)! ** 2;
  const clippedSquares = model.trainableVariables.reduce(
    (s, v) => s + plainSquares(v.grad!.data),
    0,
  );
  const before = byStep(records, 'global_norm/before_clip').get(0)!;
  assert.ok(before > 0.01, `the gradients were clipped (norm ${before})`);
  // The reference sums float32-recorded per-variable norms: a few float32 ulps from the record.
  assertRecorded(before, Math.sqrt(rawSquares), 3e-7, 'before');
  assertRecorded(
    byStep(records, 'global_norm/after_clip').get(0)!,
    Math.sqrt(clippedSquares),
    1e-12,
    'after',
  );
  assertNear(Math.sqrt(clippedSquares), 0.01, 1e-4, 'after ≈ maxNorm');
});

test('non-finite values are counted in the weights, the loss and the gradients', async () => {
  const model = threeLayerModel();
  // In the tanh layer: relu(NaN) is 0 in the engine, which would hide the NaN.
  model.layer('dense_2').variable('kernel').value.data[4] = NaN;
  const { provider, sink } = memoryRun();
  model.fit(data, { ...oneStep, callbacks: [new GradientProbes({ sink })] });
  let gradients = 0;
  let weights = 0;
  for (const v of model.trainableVariables) {
    gradients += v.grad!.data.filter((g) => !Number.isFinite(g)).length;
    weights += v.value.data.filter((w) => !Number.isFinite(w)).length;
  }
  assert.ok(gradients > 0 && weights > 1, 'the NaN spread');
  const records = await readRun(provider);
  assert.deepEqual(
    [...byStep(records, 'nonfinite/weights')],
    [
      [0, 1],
      [1, weights],
    ],
  );
  assert.deepEqual([...byStep(records, 'nonfinite/loss')], [[0, 1]]);
  assert.deepEqual([...byStep(records, 'nonfinite/gradients')], [[0, gradients]]);
});

test('probes do not change training: losses and weights are bitwise identical', () => {
  const run = (withProbes: boolean): { losses: number[]; weights: number[][] } => {
    const model = threeLayerModel();
    const losses: number[] = [];
    const probes = new GradientProbes({
      sink: memoryRun().sink,
      every: { histograms: 1 },
      elements: ['dense_2/kernel[4,3]'],
    });
    const record = { onBatchEnd: ({ loss }: { loss: number }) => losses.push(loss) };
    model.fit(formulaDataset(20, 3, 2), {
      epochs: 3,
      batchSize: 6,
      callbacks: withProbes ? [probes, record] : [record],
    });
    return { losses, weights: model.trainableVariables.map((v) => v.value.toArray()) };
  };
  const bare = run(false);
  const probed = run(true);
  assert.equal(bare.losses.length, 12);
  assert.deepEqual(probed, bare);
});

test('grad norms at each step are those of that step’s gradients', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  const seen: number[] = [];
  const grad = model.trainableVariables[0];
  const probe = new GradientProbes({ sink });
  model.fit(formulaDataset(8, 3, 2), {
    epochs: 1,
    batchSize: 4,
    shuffle: false,
    callbacks: [probe, afterEachStep(() => seen.push(Math.sqrt(plainSquares(grad.grad!.data))))],
  });
  const records = await readRun(provider);
  const recorded = [...byStep(records, 'grad_norm/dense_1/kernel').values()];
  recorded.forEach((value, i) => assertRecorded(value, seen[i], MEASURED_RTOL, `step ${i}`));
  assert.equal(recorded.length, 2);
});
