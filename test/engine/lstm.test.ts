/** LSTM: Keras names, layouts and defaults; gradients by finite differences and a float64 reference. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { LSTM } from '../../src/engine/layers/lstm.js';
import type { Recurrent } from '../../src/engine/layers/recurrent.js';
import { Sequential } from '../../src/engine/sequential.js';
import { gatedCellTests } from './gated-cells.js';
import { built } from './support.js';

test('LSTM: Keras names, gate layout [i f c o] and unit forget bias', () => {
  const model = new Sequential({
    layers: [
      new LSTM({ units: 3, inputShape: [5, 2], returnSequences: true }),
      new LSTM({ units: 2 }),
    ],
  }).build();
  const [first, second] = model.layers as LSTM[];
  assert.deepEqual(
    first.variables.map((v) => [v.name, v.shape]),
    [
      ['lstm_1/kernel', [2, 12]],
      ['lstm_1/recurrent_kernel', [3, 12]],
      ['lstm_1/bias', [12]],
    ],
  );
  assert.deepEqual([second.name, first.outputShape, second.outputShape], ['lstm_2', [5, 3], [2]]);
  assert.equal(first.countParams(), 2 * 12 + 3 * 12 + 12);
  assert.deepEqual(first.bias!.value.toArray(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const plain = built(new LSTM({ units: 2, unitForgetBias: false }), [5, 2]);
  assert.deepEqual(plain.bias!.value.toArray(), new Array(8).fill(0));
  const noBias = built(new LSTM({ units: 2, useBias: false, returnSequences: true }), [5, 2]);
  assert.deepEqual([noBias.bias, noBias.outputShape], [null, [5, 2]]);
  assert.deepEqual(first.getConfig(), {
    units: 3,
    returnSequences: true,
    useBias: true,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    unitForgetBias: true,
  });
});

test('LSTM: arguments are validated with the received value', () => {
  assert.throws(
    () => new LSTM({ units: 0 }),
    /LSTM: units must be a positive integer\. Received: units=0/,
  );
  assert.throws(
    () => new LSTM({ units: 2, recurrentActivation: 'softmax' as 'sigmoid' }),
    /LSTM: recurrentActivation must be one of linear, sigmoid, tanh, .*\. Received: recurrentActivation=softmax/,
  );
});

const lstm = (returnSequences: boolean) => {
  const layer = new LSTM({
    units: 3,
    returnSequences,
    biasInitializer: { name: 'random_normal', stddev: 0.5 },
  });
  return built(layer, [4, 2], 21);
};

gatedCellTests('lstm', 'LSTM', lstm, (layer: Recurrent) => (layer as LSTM).cellGrads);
