/** Element trajectories and selectors, intervals and steps, layer selection and argument checks. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { GradientProbes } from '../../src/probe/gradient-probes.js';
import type { GradientProbesArgs } from '../../src/probe/gradient-probes.js';
import { parseElementSelector } from '../../src/probe/selectors.js';
import {
  afterEachStep,
  formulaDataset,
  steps,
  threeLayerModel,
  memoryRun,
  readRun,
} from './support.js';

const data = formulaDataset(8, 3, 2);

test('an element trajectory is the weight value read after each step, from step 0', async () => {
  const model = threeLayerModel();
  const kernel = model.layer('dense_1').variable('kernel'); // [3, 5]
  const bias = model.layer('dense_3').variable('bias'); // [2]
  const read = () => [kernel.value.data[1 * 5 + 2], bias.value.data[1]];
  const expected = [read()];
  const { provider, sink } = memoryRun();
  const probes = new GradientProbes({
    sink,
    elements: ['dense_1/kernel[1,2]', ' dense_3/bias [ 1 ] '],
  });
  model.fit(data, {
    epochs: 2,
    batchSize: 4,
    callbacks: [probes, afterEachStep(() => expected.push(read()))],
  });
  const records = await readRun(provider);
  const trajectory = (tag: string, k: number) =>
    records.series(tag).map(({ step, value }) => [step, value, expected[step][k]]);
  for (const [step, value, reference] of trajectory('element/dense_1/kernel[1,2]', 0)) {
    assert.equal(value, reference, `kernel[1,2] at step ${step}`);
  }
  assert.deepEqual(steps(records, 'element/dense_1/kernel[1,2]'), [0, 1, 2, 3, 4]);
  assert.deepEqual(steps(records, 'element/dense_3/bias[1]'), [0, 1, 2, 3, 4]);
  for (const [, value, reference] of trajectory('element/dense_3/bias[1]', 1))
    assert.equal(value, reference);
});

test('selectors: bad syntax, unknown variables and out-of-range indices are named', () => {
  assert.throws(() => parseElementSelector('dense_1/kernel'), {
    name: 'ValueError',
    message:
      "GradientProbes: an element selector must look like 'dense_1/kernel[0,0]'. Received: 'dense_1/kernel'",
  });
  assert.throws(
    () => new GradientProbes({ sink: memoryRun().sink, elements: ['dense_1/kernel[-1,0]'] }),
    /Received: 'dense_1\/kernel\[-1,0\]'/,
  );
  const fitWith = (element: string) => () =>
    threeLayerModel().fit(data, {
      callbacks: [new GradientProbes({ sink: memoryRun().sink, elements: [element] })],
    });
  assert.throws(
    fitWith('dense_9/kernel[0,0]'),
    /'dense_9\/kernel\[0,0\]' names no variable.*dense_1\/kernel, dense_1\/bias/,
  );
  assert.throws(fitWith('dense_1/kernel[3,0]'), {
    message:
      "GradientProbes: element selector 'dense_1/kernel[3,0]' does not fit dense_1/kernel, whose shape is [3,5]. " +
      'Expected 2 index(es), each below its dimension',
  });
  assert.throws(
    fitWith('dense_1/bias[0,0]'),
    /'dense_1\/bias\[0,0\]' does not fit dense_1\/bias, whose shape is \[5\]/,
  );
});

test('intervals: every N steps, once per epoch at its last batch, or never', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  const every = { loss: 3, norms: 2, signals: 'never', histograms: 'epoch', elements: 4 } as const;
  const probes = new GradientProbes({ sink, every, elements: ['dense_1/bias[0]'] });
  // 2 epochs of 3 batches: steps 0 … 5.
  model.fit(formulaDataset(9, 3, 2), { epochs: 2, batchSize: 3, callbacks: [probes] });
  const records = await readRun(provider);
  assert.deepEqual(steps(records, 'loss'), [0, 3]);
  assert.deepEqual(steps(records, 'grad_norm/dense_1/kernel'), [0, 2, 4]);
  assert.deepEqual(steps(records, 'global_norm/before_clip'), [0, 2, 4]);
  assert.deepEqual(steps(records, 'weight_norm/dense_1/kernel'), [0, 2, 4, 6]);
  assert.deepEqual(steps(records, 'update_ratio/dense_1/kernel'), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(steps(records, 'activation_mean/dense_1'), [0]); // the default, every 10
  assert.deepEqual(steps(records, 'signal_norm/dense_1'), []);
  assert.deepEqual(steps(records, 'element/dense_1/bias[0]'), [0, 4]);
  const histogramSteps = (tag: string) => records.histogramSeries(tag).map((h) => h.step);
  assert.deepEqual(histogramSteps('gradients/dense_1/kernel'), [2, 5]);
  assert.deepEqual(histogramSteps('activations/dense_1'), [2, 5]);
  assert.deepEqual(histogramSteps('weights/dense_1/kernel'), [0, 3, 6]);
});

test('a second fit with the same optimizer continues the steps', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  const fit = { epochs: 1, batchSize: 4, callbacks: [new GradientProbes({ sink })] };
  model.fit(data, fit);
  model.fit(data, fit);
  const records = await readRun(provider);
  assert.deepEqual(steps(records, 'loss'), [0, 1, 2, 3]);
  assert.deepEqual(steps(records, 'weight_norm/dense_1/bias'), [0, 1, 2, 3, 4]);
});

test('layers restricts the per-layer records; global norms still cover every layer', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  model.fit(data, { batchSize: 8, callbacks: [new GradientProbes({ sink, layers: ['dense_2'] })] });
  const records = await readRun(provider);
  const tags = records.scalarTags();
  assert.ok(tags.includes('grad_norm/dense_2/kernel'));
  assert.ok(!tags.some((tag) => tag.includes('dense_1') || tag.includes('dense_3')), tags.join());
  let squares = 0;
  for (const v of model.trainableVariables) for (const g of v.grad!.data) squares += g * g;
  const global = records.series('global_norm/before_clip')[0].value;
  assert.ok(Math.abs(global - Math.fround(Math.sqrt(squares))) < 1e-12 * global);
});

test('argument checks name the field and the value received', () => {
  const make = (args: Partial<GradientProbesArgs>) => () =>
    new GradientProbes({ sink: memoryRun().sink, ...args });
  assert.throws(make({ every: { norms: 0 } }), {
    message:
      "GradientProbes: every.norms must be a positive integer, 'epoch' or 'never'. Received: every.norms=0",
  });
  assert.throws(make({ every: { histograms: 2.5 } }), /every\.histograms=2\.5/);
  assert.throws(make({ every: { weights: 1 } as never }), /unknown interval group 'weights'/);
  assert.throws(
    make({ normKind: 'l1' as never }),
    /normKind must be 'l2' or 'squared'. Received: normKind=l1/,
  );
  assert.throws(make({ bucketCount: 0 }), /bucketCount=0/);
  const probes = new GradientProbes({ sink: memoryRun().sink, layers: ['dense_7'] });
  assert.throws(
    () => threeLayerModel().fit(data, { callbacks: [probes] }),
    /no layer 'dense_7'.*dense_1, dense_2, dense_3/,
  );
});
