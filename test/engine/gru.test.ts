/**
 * GRU: Keras names, layouts and defaults; gradients by finite differences and a float64
 * reference, for resetAfter true (Keras' default) and false. tfjs-layers' GRU refuses
 * resetAfter = true ("GRUCell does not support reset_after parameter set to true"), so
 * parity.test.ts compares resetAfter = false with tfjs, and resetAfter = true rests on the
 * reference here (Keras' equations written out in float64) and on finite differences.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { GRU } from '../../src/engine/layers/gru.js';
import { Sequential } from '../../src/engine/sequential.js';
import { Tensor } from '../../src/engine/tensor.js';
import { gatedCellTests } from './gated-cells.js';
import { assertClose, built, stepInfo } from './support.js';

test('GRU: Keras names and layouts, bias [2, 3·units] with resetAfter', () => {
  const stacked = new Sequential({
    layers: [
      new GRU({ units: 3, inputShape: [5, 2], returnSequences: true }),
      new GRU({ units: 2, resetAfter: false }),
    ],
  }).build();
  const [a, b] = stacked.layers as GRU[];
  assert.deepEqual(
    a.variables.map((v) => [v.name, v.shape]),
    [
      ['gru_1/kernel', [2, 9]],
      ['gru_1/recurrent_kernel', [3, 9]],
      ['gru_1/bias', [2, 9]],
    ],
  );
  assert.deepEqual(
    b.variables.map((v) => [v.name, v.shape]),
    [
      ['gru_2/kernel', [3, 6]],
      ['gru_2/recurrent_kernel', [2, 6]],
      ['gru_2/bias', [6]],
    ],
  );
  assert.equal(a.countParams(), 2 * 9 + 3 * 9 + 18);
  assert.deepEqual(b.getConfig(), {
    units: 2,
    returnSequences: false,
    useBias: true,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    resetAfter: false,
  });
});

test('GRU: arguments are validated with the received value', () => {
  assert.throws(
    () => new GRU({ units: 1.5 }),
    /GRU: units must be a positive integer\. Received: units=1\.5/,
  );
  assert.throws(
    () => new GRU({ units: 2, activation: 'softmax' as 'tanh' }),
    /GRU: activation must be one of linear, sigmoid, tanh, .*\. Received: activation=softmax/,
  );
});

// Two steps by hand, units = 1, features = 1 (Keras' GRUCell with reset_after=True):
// K = [0.5, −1, 0.25], R = [1, 1, 2], b = [0.1, 0.2, 0.3], b' = [−0.1, 0.4, 0.5], x = (2, −1)
// z = σ(K_z·x + b_z + R_z·h + b'_z),  r = σ(K_r·x + b_r + R_r·h + b'_r)
// h̃ = tanh(K_h·x + b_h + r·(R_h·h + b'_h)),  h ← z·h + (1 − z)·h̃
test('GRU (resetAfter): two steps computed by hand', () => {
  const layer = built(new GRU({ units: 1 }), [2, 1]);
  layer.kernel.value.data.set([0.5, -1, 0.25]);
  layer.recurrentKernel.value.data.set([1, 1, 2]);
  layer.bias!.value.data.set([0.1, 0.2, 0.3, -0.1, 0.4, 0.5]);
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const z1 = sigmoid(1 + 0.1 - 0.1),
    r1 = sigmoid(-2 + 0.2 + 0.4);
  const h1 = (1 - z1) * Math.tanh(0.5 + 0.3 + r1 * 0.5);
  const z2 = sigmoid(-0.5 + 0.1 + h1 - 0.1),
    r2 = sigmoid(1 + 0.2 + h1 + 0.4);
  const h2 = z2 * h1 + (1 - z2) * Math.tanh(-0.25 + 0.3 + r2 * (2 * h1 + 0.5));
  const output = layer.forward(Tensor.fromArray([1, 2, 1], [2, -1]), stepInfo(false));
  assertClose(output.toArray(), [h2], { rtol: 1e-6, atol: 1e-7 }, 'h_2');
});

for (const resetAfter of [true, false]) {
  const gru = (returnSequences: boolean) => {
    const layer = new GRU({
      units: 3,
      returnSequences,
      resetAfter,
      biasInitializer: { name: 'random_normal', stddev: 0.5 },
    });
    return built(layer, [4, 2], 22);
  };
  gatedCellTests(resetAfter ? 'gru' : 'gru_reset_before', `GRU(resetAfter=${resetAfter})`, gru);
}
