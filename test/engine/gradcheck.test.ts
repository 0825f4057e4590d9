/**
 * Finite-difference checks of every backward pass: L = Σ w·output for fixed random w, so
 * ∂L/∂output = w, and each analytic gradient is compared with central differences of L
 * (tolerance FD_TOLERANCE: |analytic − numeric| ≤ 1e-3 + 1e-2·|numeric|, step 1e-2).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATION_NAMES } from '../../src/engine/activations.js';
import type { ActivationName } from '../../src/engine/activations.js';
import { Activation } from '../../src/engine/layers/activation.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Dropout } from '../../src/engine/layers/dropout.js';
import { Flatten } from '../../src/engine/layers/flatten.js';
import { SimpleRNN } from '../../src/engine/layers/simple-rnn.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';
import {
  assertClose,
  built,
  checkLayerGradients,
  FD_TOLERANCE,
  normalValues,
  numericGradient,
  randomTensor,
  stepInfo,
  weightedSum,
} from './support.js';

/** Pre-activations closer than this to a kink (0 for relu-like functions) are avoided. */
const KINK_MARGIN = 0.1;
const KINKED: readonly ActivationName[] = ['relu', 'leaky_relu', 'elu', 'selu'];

/**
 * A built Dense and a batch whose pre-activations all sit KINK_MARGIN away from 0, so no
 * finite-difference step (which moves z by at most |x|·h ≈ 0.03) crosses a kink. Seeds are
 * tried in order; the choice is deterministic.
 */
function denseCase(activation: ActivationName): { layer: Dense; input: Tensor } {
  for (let seed = 0; ; seed++) {
    const layer = built(
      new Dense({ units: 4, activation, biasInitializer: { name: 'random_normal', stddev: 0.5 } }),
      [3],
      seed,
    );
    const input = randomTensor(new RandomState(1000 + seed), [5, 3]);
    layer.forward(input, stepInfo(true));
    const z = layer.preActivation!.toArray();
    if (!KINKED.includes(activation) || z.every((v) => Math.abs(v) >= KINK_MARGIN)) {
      return { layer, input };
    }
  }
}

for (const activation of ACTIVATION_NAMES) {
  test(`Dense(${activation}): kernel, bias and input gradients match finite differences`, () => {
    const { layer, input } = denseCase(activation);
    checkLayerGradients(layer, input, () => stepInfo(true));
  });

  test(`Activation(${activation}): input gradient matches finite differences`, () => {
    const rng = new RandomState(7);
    // Values kept ≥ 0.2 away from 0 so no step crosses a kink.
    const values = normalValues(rng, 12).map((v) => Math.sign(v) * (0.2 + Math.abs(v)));
    const layer = built(new Activation({ activation }), [4]);
    checkLayerGradients(layer, Tensor.fromArray([3, 4], values), () => stepInfo(true));
  });
}

test('Dense without bias over a 3-d input: gradients match finite differences', () => {
  const layer = built(new Dense({ units: 3, activation: 'tanh', useBias: false }), [2, 4]);
  checkLayerGradients(layer, randomTensor(new RandomState(3), [3, 2, 4]), () => stepInfo(true));
});

function batchNormCase(): { layer: BatchNormalization; input: Tensor } {
  const rng = new RandomState(11);
  const layer = built(new BatchNormalization(), [3]);
  layer.gamma!.value.data.set(normalValues(rng, 3, 0.5).map((v) => 1 + v));
  layer.beta!.value.data.set(normalValues(rng, 3, 0.5));
  const input = Tensor.fromArray(
    [6, 3],
    normalValues(rng, 18, 2).map((v) => v + 1),
  );
  return { layer, input };
}

test('BatchNormalization (training): gamma, beta and input gradients match finite differences', () => {
  const { layer, input } = batchNormCase();
  checkLayerGradients(layer, input, () => stepInfo(true));
});

test('BatchNormalization (inference): gradients through the moving statistics match', () => {
  const { layer, input } = batchNormCase();
  layer.movingMean.value.data.set([0.5, -1, 2]);
  layer.movingVariance.value.data.set([0.7, 2.5, 1.3]);
  checkLayerGradients(layer, input, () => stepInfo(false));
});

test('Dropout (training, fixed mask): input gradient matches finite differences', () => {
  const layer = built(new Dropout({ rate: 0.4 }), [10]);
  const input = randomTensor(new RandomState(5), [4, 10]);
  const output = layer.forward(input, stepInfo(true, 42)).toArray();
  assert.ok(
    output.some((v) => v === 0),
    'the mask drops something',
  );
  assert.ok(
    output.some((v) => v !== 0),
    'the mask keeps something',
  );
  // The same seed before each forward gives the same mask.
  checkLayerGradients(layer, input, () => stepInfo(true, 42));
});

test('Dropout (inference) and Flatten: input gradients match finite differences', () => {
  checkLayerGradients(
    built(new Dropout({ rate: 0.4 }), [10]),
    randomTensor(new RandomState(5), [4, 10]),
    () => stepInfo(false),
  );
  checkLayerGradients(
    built(new Flatten(), [3, 4]),
    randomTensor(new RandomState(6), [2, 3, 4]),
    () => stepInfo(true),
  );
});

function rnn(activation: 'tanh' | 'linear', returnSequences: boolean, features = 2): SimpleRNN {
  const layer = new SimpleRNN({
    units: 3,
    activation,
    returnSequences,
    biasInitializer: { name: 'random_normal', stddev: 0.3 },
  });
  return built(layer, [4, features], 21);
}

for (const activation of ['tanh', 'linear'] as const) {
  for (const returnSequences of [false, true]) {
    const name = `SimpleRNN(${activation}, returnSequences=${returnSequences})`;
    test(`${name}: kernel, recurrent kernel, bias and input gradients match`, () => {
      const layer = rnn(activation, returnSequences);
      checkLayerGradients(layer, randomTensor(new RandomState(8), [3, 4, 2]), () => stepInfo(true));
    });

    // With the kernel set to the identity, z_t = x_t + h_{t−1}·R + b: nudging x_t nudges z_t,
    // so a finite difference in x_t measures ∂L/∂z_t = hiddenGrads[t] ⊙ f'(z_t) directly.
    test(`${name}: hiddenGrads[t] ⊙ f'(z_t) matches finite differences in x_t`, () => {
      const layer = rnn(activation, returnSequences, 3);
      layer.kernel.value.data.set([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      const input = randomTensor(new RandomState(9), [2, 4, 3]);
      const output = layer.forward(input, stepInfo(true));
      const w = normalValues(new RandomState(10), output.size);
      layer.backward(Tensor.fromArray(output.shape, w), true);
      const hGrads = layer.hiddenGrads!.toArray(),
        hs = layer.hiddenStates!.toArray();
      const der = (h: number) => (activation === 'tanh' ? 1 - h * h : 1);
      const loss = () => weightedSum(layer.forward(input, stepInfo(true)), w);
      const numeric = numericGradient(input, loss); // (batch, t, unit)
      const [T, B, U] = [4, 2, 3];
      const expected: number[] = [],
        actual: number[] = [];
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          for (let u = 0; u < U; u++) {
            const i = (t * B + b) * U + u;
            actual.push(hGrads[i] * der(hs[i]));
            expected.push(numeric[(b * T + t) * U + u]);
          }
        }
      }
      assertClose(actual, expected, FD_TOLERANCE, `${name} hiddenGrads`);
    });

    // Backprop through time, restated in float64:
    // ∂L/∂h_{t−1} = (direct ∂L/∂h_{t−1} from the output) + (∂L/∂h_t ⊙ f'(z_t))·Rᵀ.
    test(`${name}: hiddenGrads obey the backprop-through-time recurrence`, () => {
      const layer = rnn(activation, returnSequences);
      const output = layer.forward(randomTensor(new RandomState(12), [2, 4, 2]), stepInfo(true));
      const w = normalValues(new RandomState(13), output.size);
      layer.backward(Tensor.fromArray(output.shape, w), false);
      const g = layer.hiddenGrads!.toArray(),
        hs = layer.hiddenStates!.toArray();
      const R = layer.recurrentKernel.value.toArray();
      const [T, B, U] = [4, 2, 3];
      const der = (h: number) => (activation === 'tanh' ? 1 - h * h : 1);
      const direct = (t: number, b: number, u: number) =>
        returnSequences ? w[(b * T + t) * U + u] : t === T - 1 ? w[b * U + u] : 0;
      const expected: number[] = [],
        actual: number[] = [];
      for (let t = 1; t < T; t++) {
        for (let b = 0; b < B; b++) {
          for (let i = 0; i < U; i++) {
            let sum = direct(t - 1, b, i);
            for (let j = 0; j < U; j++) {
              const k = (t * B + b) * U + j;
              sum += g[k] * der(hs[k]) * R[i * U + j];
            }
            expected.push(sum);
            actual.push(g[((t - 1) * B + b) * U + i]);
          }
        }
      }
      assertClose(actual, expected, { rtol: 1e-5, atol: 1e-6 }, `${name} recurrence`);
    });
  }
}
