/** ThroughTimeProbe: ‖∂L/∂h_t‖ per time step, at the chosen training steps, read back through a provider. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { arrayDataset } from '../../src/engine/dataset.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { SimpleRNN } from '../../src/engine/layers/simple-rnn.js';
import { SGD } from '../../src/engine/optimizers/index.js';
import { Sequential } from '../../src/engine/sequential.js';
import { ThroughTimeProbe } from '../../src/probe/recorders/through-time.js';
import { memoryRun, plainSquares, readRun } from './support.js';

/** SimpleRNN(3, tanh) over 5 time steps → Dense(1), mse; 4 samples per batch. */
function rnnModel(): Sequential {
  const model = new Sequential({
    seed: 5,
    layers: [new SimpleRNN({ units: 3, inputShape: [5, 2] }), new Dense({ units: 1 })],
  });
  return model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mean_squared_error' });
}

const data = arrayDataset(
  Array.from({ length: 12 * 5 * 2 }, (_, i) => Math.sin(0.9 * i)),
  [5, 2],
  Array.from({ length: 12 }, (_, i) => Math.cos(i)),
  1,
);

test('records ‖∂L/∂h_t‖ for t = 1 … T at every `at` steps, equal to the layer’s own buffer', async () => {
  const model = rnnModel();
  const { provider, sink } = memoryRun();
  model.fit(data, {
    batchSize: 4,
    shuffle: false,
    callbacks: [new ThroughTimeProbe({ sink, at: 2 })],
  });
  const records = await readRun(provider);
  assert.deepEqual(records.scalarTags(), [
    'through_time/simple_rnn_1/step_0',
    'through_time/simple_rnn_1/step_2',
  ]);
  // Step 2 is the last of the 3 steps: the layer still holds its ∂L/∂h_t.
  const grads = model.layer('simple_rnn_1').timeSignals[0].grads;
  const expected = Array.from({ length: 5 }, (_, t) => ({
    step: t + 1,
    value: Math.fround(Math.sqrt(plainSquares(grads.slab(t).data))),
  }));
  assert.deepEqual(records.series('through_time/simple_rnn_1/step_2'), expected);
});

test('a list of steps records exactly those; layers without time signals record nothing', async () => {
  const model = rnnModel();
  const { provider, sink } = memoryRun();
  const probe = new ThroughTimeProbe({ sink, at: [1] });
  model.fit(data, { batchSize: 4, shuffle: false, callbacks: [probe] });
  const records = await readRun(provider);
  assert.deepEqual(records.scalarTags(), ['through_time/simple_rnn_1/step_1']);
  assert.equal(records.series('through_time/simple_rnn_1/step_1').length, 5);
  assert.deepEqual(model.layer('dense_1').timeSignals, []);
});

test('argument checks name the value received', () => {
  const { sink } = memoryRun();
  assert.throws(() => new ThroughTimeProbe({ sink, at: 0 }), /at=0/);
  assert.throws(() => new ThroughTimeProbe({ sink, at: [1, -2] }), /Received: -2 in \[1, -2\]/);
  const probe = new ThroughTimeProbe({ sink, layers: ['lstm_1'] });
  assert.throws(
    () => rnnModel().fit(data, { batchSize: 4, callbacks: [probe] }),
    /no layer 'lstm_1'.*simple_rnn_1, dense_1/,
  );
});
