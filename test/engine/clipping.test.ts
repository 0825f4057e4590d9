/**
 * Gradient clipping: each mode on hand-computed cases (Variables built directly, gradients set
 * by hand), the argument checks, non-finite gradients, and clipping inside `fit`.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { BatchEndContext, Callback } from '../../src/engine/callbacks.js';
import { makeClipper, NonFiniteGradientError, resolveClipping } from '../../src/engine/clipping.js';
import type { ClippingArgs } from '../../src/engine/clipping.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Variable } from '../../src/engine/layers/variable.js';
import { Adam, RMSprop, SGD } from '../../src/engine/optimizers/index.js';
import type { GradientClipper, Optimizer } from '../../src/engine/optimizers/index.js';
import { GradientNorms } from '../../src/engine/norms.js';
import type { UpdateReport } from '../../src/engine/optimizers/index.js';
import { Sequential } from '../../src/engine/sequential.js';
import type { Shape } from '../../src/engine/tensor.js';

function variable(name: string, shape: Shape, values: number[], grad: number[]): Variable {
  const v = new Variable(name, shape, Float32Array.from(values), true);
  v.grad!.data.set(grad);
  return v;
}

function clipper(args: ClippingArgs): GradientClipper {
  const made = makeClipper(args);
  assert.ok(made, 'expected a clipper');
  return made;
}

const grads = (variables: Variable[]): number[][] => variables.map((v) => v.grad!.toArray());

function assertNear(actual: number, expected: number, rtol: number, label: string, atol = 0): void {
  assert.ok(
    Math.abs(actual - expected) <= atol + rtol * Math.abs(expected),
    `${label}: got ${actual}, expected ${expected} (rtol ${rtol}, atol ${atol})`,
  );
}

// Global norm of [3, 4] and [12] is √(9 + 16 + 144) = 13.
const threeFourTwelve = (): Variable[] => [
  variable('a/kernel', [2], [1, 1], [3, 4]),
  variable('b/bias', [1], [1], [12]),
];

test('globalClipnorm below the global norm leaves every gradient bit for bit and reports it', () => {
  const variables = threeFourTwelve();
  const report = clipper({ globalClipnorm: 20 }).clip(new GradientNorms(variables));
  assert.deepEqual(report, { normBefore: 13, normAfter: 13 });
  assert.deepEqual(grads(variables), [[3, 4], [12]]);
});

test('globalClipnorm above: g ← g·max/(total + 1e-6), returns the norm before', () => {
  const variables = threeFourTwelve();
  const report = clipper({ globalClipnorm: 6.5 }).clip(new GradientNorms(variables));
  assert.equal(report.normBefore, 13);
  const scale = 6.5 / (13 + 1e-6); // PyTorch's clip_coef
  assert.deepEqual(
    grads(variables),
    [[3, 4], [12]].map((g) => g.map((x) => Math.fround(x * scale))),
  );
  // ≈ [1.5, 2] and [6]: half of each, less the 1e-6 guard.
  assertNear(variables[0].grad!.data[0], 1.5, 1e-6, 'a[0]');
  assertNear(variables[1].grad!.data[0], 6, 1e-6, 'b[0]');
  assertNear(report.normAfter, 6.5, 1e-6, 'normAfter');
});

test('clipnorm clips each tensor to its own norm; a tensor under the limit is untouched', () => {
  const variables = [
    variable('a/kernel', [2], [0, 0], [3, 4]), // ‖g‖ = 5
    variable('b/kernel', [2], [0, 0], [0.6, 0.8]), // ‖g‖ = 1
  ];
  const report = clipper({ clipnorm: 2 }).clip(new GradientNorms(variables));
  assert.deepEqual(grads(variables), [
    [Math.fround(1.2), Math.fround(1.6)],
    [Math.fround(0.6), Math.fround(0.8)],
  ]);
  assertNear(report.normBefore, Math.sqrt(26), 1e-7, 'normBefore');
  assertNear(report.normAfter, Math.sqrt(5), 1e-6, 'normAfter');
});

test('clipvalue clamps each element to [−c, c]', () => {
  const variables = [variable('a/kernel', [2, 2], [0, 0, 0, 0], [-2, 0.3, 0.7, -0.1])];
  const report = clipper({ clipvalue: 0.5 }).clip(new GradientNorms(variables));
  assert.deepEqual(grads(variables), [[-0.5, Math.fround(0.3), 0.5, Math.fround(-0.1)]]);
  assertNear(report.normBefore, Math.sqrt(4 + 0.09 + 0.49 + 0.01), 1e-6, 'normBefore');
  assertNear(report.normAfter, Math.sqrt(0.25 + 0.09 + 0.25 + 0.01), 1e-6, 'normAfter');
});

// Reference values from DeepMind's nfnets/agc_optax.py (unitwise_norm, my_clip) transcribed to
// numpy 2.4 in float64 at development time.
test('agc clips each kernel column against λ·‖W column‖ and a bias as one unit', () => {
  const kernel = variable('d/kernel', [2, 2], [3, 1, 4, 0], [1, 0.06, 1, 0.08]);
  // Column 0: ‖W‖ = 5, max 1.25, ‖g‖ = √2 → clipped; column 1: ‖W‖ = 1, max 0.25, ‖g‖ = 0.1 → kept.
  const bias = variable('d/bias', [2], [0, 0], [0.003, 0.004]);
  // Zero bias: max = 0.25·1e-3; ‖g‖ = 0.005 → the whole vector is scaled (not each element).
  const report = clipper({ agc: 0.25 }).clip(new GradientNorms([kernel, bias]));
  const expectedKernel = [0.88388348, 0.06, 0.88388348, 0.08];
  const expectedBias = [0.00015, 0.0002];
  kernel.grad!.toArray().forEach((g, i) => assertNear(g, expectedKernel[i], 1e-6, `kernel[${i}]`));
  bias.grad!.toArray().forEach((g, i) => assertNear(g, expectedBias[i], 1e-6, `bias[${i}]`));
  const after = Math.sqrt(2 * 0.88388348 ** 2 + 0.06 ** 2 + 0.08 ** 2 + 0.00015 ** 2 + 0.0002 ** 2);
  assertNear(report.normAfter, after, 1e-6, 'normAfter');
  assertNear(report.normBefore, Math.sqrt(2 + 0.01 + 0.005 ** 2), 1e-6, 'normBefore');
});

test('agc treats a kernel with one input row as one unit, as DeepMind squeezes it', () => {
  // Per column, [2, 0] against [3, 4] would give [0.6, 0]; as one unit: max = 0.2·5 = 1 → [1, 0].
  const kernel = variable('d/kernel', [1, 2], [3, 4], [2, 0]);
  clipper({ agc: 0.2 }).clip(new GradientNorms([kernel]));
  assert.deepEqual(kernel.grad!.toArray(), [1, 0]);
});

test('setting two modes is an error naming both', () => {
  assert.throws(() => makeClipper({ clipnorm: 1, clipvalue: 0.5 }), {
    name: 'ValueError',
    message:
      'Clipping: set only one of clipnorm, clipvalue, globalClipnorm, agc. ' +
      'Received: clipnorm=1, clipvalue=0.5',
  });
});

test('non-positive or non-finite values are errors naming the value', () => {
  assert.throws(() => makeClipper({ globalClipnorm: 0 }), {
    message:
      'Clipping: globalClipnorm must be a positive finite number. Received: globalClipnorm=0',
  });
  assert.throws(() => makeClipper({ agc: -0.01 }), /agc=-0\.01/);
  assert.throws(() => makeClipper({ clipvalue: NaN }), /clipvalue=NaN/);
  assert.throws(() => makeClipper({ clipnorm: Infinity }), /clipnorm=Infinity/);
});

test('no mode gives no clipper; errorIfNonfinite alone checks without clipping', () => {
  assert.equal(makeClipper({}), null);
  const variables = threeFourTwelve();
  assert.deepEqual(clipper({ errorIfNonfinite: true }).clip(new GradientNorms(variables)), {
    normBefore: 13,
    normAfter: 13,
  });
  assert.deepEqual(grads(variables), [[3, 4], [12]]);
});

test('non-finite gradients: errorIfNonfinite throws naming the variable', () => {
  const variables = [
    variable('a/kernel', [2], [0, 0], [NaN, 1]),
    variable('b/bias', [1], [0], [1]),
  ];
  assert.throws(
    () => clipper({ globalClipnorm: 1, errorIfNonfinite: true }).clip(new GradientNorms(variables)),
    (error) => {
      assert.ok(error instanceof NonFiniteGradientError);
      assert.match(error.message, /Received: NaN, from 1 non-finite value\(s\) in a\/kernel\./);
      return true;
    },
  );
});

test('non-finite gradients without errorIfNonfinite: every gradient becomes 0 (no NaN step)', () => {
  for (const args of [{ globalClipnorm: 1 }, { clipvalue: 1 }, { clipnorm: 1 }, { agc: 0.1 }]) {
    const variables = [
      variable('a/kernel', [2], [1, 1], [Infinity, 1]),
      variable('b/bias', [1], [1], [5]),
    ];
    const report = clipper(args).clip(new GradientNorms(variables));
    assert.deepEqual(report, { normBefore: Infinity, normAfter: 0 }, JSON.stringify(args));
    assert.deepEqual(grads(variables), [[0, 0], [0]], JSON.stringify(args));
  }
});

test('the clipper scales with the measurement it is given and never measures again', () => {
  const variables = threeFourTwelve();
  const measured = new GradientNorms(variables);
  assert.equal(measured.total, 13);
  // Changed after the measurement: the clipper must still use 13, the measured norm.
  variables[1].grad!.data[0] = 0;
  const report = clipper({ globalClipnorm: 6.5 }).clip(measured);
  assert.equal(report.normBefore, 13);
  const scale = 6.5 / (13 + 1e-6);
  assert.deepEqual(grads(variables), [[3, 4].map((x) => Math.fround(x * scale)), [0]]);
});

test('resolveClipping validates without building a clipper', () => {
  assert.equal(resolveClipping({}), null);
  assert.deepEqual(resolveClipping({ clipvalue: 0.5 }), {
    mode: 'clipvalue',
    limit: 0.5,
    errorIfNonfinite: false,
  });
  assert.throws(() => resolveClipping({ clipnorm: 1, agc: 0.1 }), /set only one of/);
});

/** Records each step's update report, as a probe would read it. */
function updateRecorder(): Callback & { updates: UpdateReport[] } {
  const updates: UpdateReport[] = [];
  return {
    updates,
    // fit measures ‖Δw‖ only for callbacks that ask.
    measuresWanted: () => ({ gradients: false, signals: false, updates: true, weights: false }),
    onBatchEnd: (context: BatchEndContext) => updates.push(context.update),
  };
}

/** Dense(3) → Dense(2), mse against targets of 100: gradients far above 1. */
function largeGradientModel(optimizer: Optimizer): Sequential {
  const model = new Sequential({
    seed: 3,
    layers: [new Dense({ units: 3, inputShape: [2] }), new Dense({ units: 2 })],
  });
  return model.compile({ optimizer, loss: 'mean_squared_error' });
}

const largeTargets = arrayDataset(
  [0.5, -1, 1, 2, -0.3, 0.8, 1.5, 0.1],
  [2],
  [100, -80, 90, 70, -60, 100, 50, 40],
  2,
);

test('in fit with SGD, globalClipnorm bounds the step: ‖Δw‖ = lr·maxNorm', () => {
  const optimizer = new SGD({ learningRate: 0.1, clipper: clipper({ globalClipnorm: 1 }) });
  const model = largeGradientModel(optimizer);
  const before = model.trainableVariables.map((v) => v.value.toArray());
  const recorder = updateRecorder();
  const fit = { epochs: 1, batchSize: 4, shuffle: false, maxSteps: 1, callbacks: [recorder] };
  model.fit(largeTargets, fit);
  const [{ clip, updateNorms }] = recorder.updates;
  assert.ok(clip && clip.normBefore > 100, 'gradients were large');
  let moved = 0;
  model.trainableVariables.forEach((v, k) => {
    v.value.data.forEach((w, i) => (moved += (w - before[k][i]) ** 2));
  });
  assertNear(Math.sqrt(moved), 0.1, 1e-4, '‖Δw‖ from the weights');
  const updates = [...updateNorms.values()];
  assertNear(
    Math.sqrt(updates.reduce((s, u) => s + u * u, 0)),
    0.1,
    1e-5,
    '‖Δw‖ from the optimizer',
  );
});

/** Scales the gradients as clip_grad_norm_ would, with its own plain loop. */
function manualGlobalClip(maxNorm: number): Callback {
  return {
    onGradients({ model }) {
      let total = 0;
      for (const v of model.trainableVariables) for (const g of v.grad!.data) total += g * g;
      const scale = Math.min(1, maxNorm / (Math.sqrt(total) + 1e-6));
      for (const v of model.trainableVariables)
        v.grad!.data.forEach((g, i, a) => (a[i] = g * scale));
    },
  };
}

for (const [name, make] of [
  ['Adam', (c?: GradientClipper) => new Adam({ learningRate: 0.01, clipper: c })],
  ['RMSprop', (c?: GradientClipper) => new RMSprop({ learningRate: 0.01, clipper: c })],
] as const) {
  test(`in fit with ${name}, globalClipnorm gives the weights of manually clipped gradients`, () => {
    const clipped = make(clipper({ globalClipnorm: 2 }));
    const a = largeGradientModel(clipped);
    const b = largeGradientModel(make());
    const fit = { epochs: 2, batchSize: 2, shuffle: false };
    const recorder = updateRecorder();
    a.fit(largeTargets, { ...fit, callbacks: [recorder] });
    b.fit(largeTargets, { ...fit, callbacks: [manualGlobalClip(2)] });
    const last = recorder.updates.at(-1)!.clip!;
    assert.ok(last.normBefore > 2, 'the last step was clipped');
    assertNear(last.normAfter, 2, 1e-6, 'normAfter');
    a.trainableVariables.forEach((v, k) => {
      const w = b.trainableVariables[k].value.data;
      v.value.data.forEach((x, i) => assertNear(x, w[i], 1e-5, `${v.name}[${i}]`, 1e-6));
    });
  });
}
