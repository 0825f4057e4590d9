/** Shared helpers for the engine tests: seeded data, tolerant comparison, finite differences. */
import assert from 'node:assert/strict';
import type { Layer, StepInfo } from '../../src/engine/layers/layer.js';
import type { LossName } from '../../src/engine/losses.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';
import type { Shape } from '../../src/engine/tensor.js';

/** Accept |actual − expected| ≤ atol + rtol·|expected|, elementwise. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * The finite-difference tolerance. Storage is float32, so the step must stay large (1e-2) for
 * rounding to vanish against it; its truncation error, h²·f'''/6, stays below 1e-4 here.
 */
export const FD_TOLERANCE: Tolerance = { rtol: 1e-2, atol: 1e-3 };
export const FD_STEP = 1e-2;

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: lengths differ`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i],
      e = expected[i];
    const ok = Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    assert.ok(ok, `${label}[${i}]: got ${a}, expected ${e} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

/** n draws of scale·N(0, 1) from a seeded generator. */
export function normalValues(rng: RandomState, n: number, scale = 1): Float32Array {
  return Float32Array.from(rng.randn(n), (v) => v * scale);
}

export function randomTensor(rng: RandomState, shape: Shape, scale = 1): Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  return Tensor.fromArray(shape, normalValues(rng, size, scale));
}

/** A step for direct layer calls; the generator is fresh so masks follow from `seed`. */
export function stepInfo(training: boolean, seed = 0): StepInfo {
  return { training, rng: new RandomState(seed) };
}

/** Σ w_i·t_i in float64: a scalar loss whose ∂L/∂t is w. */
export function weightedSum(t: Tensor, w: ArrayLike<number>): number {
  const data = t.data;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += w[i] * data[i];
  return sum;
}

/**
 * Central differences of `f` with respect to every element of `target`. The step actually
 * taken is read back from float32 storage, so rounding of x ± h does not bias the quotient.
 */
export function numericGradient(
  target: Tensor | Float32Array,
  f: () => number,
  h = FD_STEP,
): Float64Array {
  // A tensor's view is re-read each time: a heap growth inside f detaches the old one.
  const data = () => (target instanceof Tensor ? target.data : target);
  const grad = new Float64Array(data().length);
  for (let i = 0; i < grad.length; i++) {
    const original = data()[i];
    data()[i] = original + h;
    const up = data()[i];
    const fUp = f();
    data()[i] = original - h;
    const down = data()[i];
    const fDown = f();
    data()[i] = original;
    grad[i] = (fUp - fDown) / (up - down);
  }
  return grad;
}

/** Builds `layer` for samples of `sampleShape`, naming it when it has no name. */
export function built<T extends Layer>(layer: T, sampleShape: Shape, seed = 0): T {
  layer.name ??= layer.kind;
  layer.build(sampleShape, new RandomState(seed));
  return layer;
}

/**
 * Runs forward and backward with L = Σ w·output for fixed random w, then checks ∂L/∂input and
 * every trainable variable's gradient against central differences of L. `step` is called
 * before each forward to give the same StepInfo (a reseeded generator keeps a Dropout mask).
 */
export function checkLayerGradients(
  layer: Layer,
  input: Tensor,
  step: () => StepInfo,
  options: { h?: number; tol?: Tolerance; seed?: number } = {},
): void {
  const { h = FD_STEP, tol = FD_TOLERANCE, seed = 99 } = options;
  const output = layer.forward(input, step());
  const w = normalValues(new RandomState(seed), output.size);
  for (const v of layer.variables) v.zeroGrad();
  const inputGrad = layer.backward(Tensor.fromArray(output.shape, w), true);
  assert.ok(inputGrad, `${layer.name}: backward returned no input gradient`);
  const analyticInput = inputGrad.toArray();
  const analyticParams = layer.trainableVariables.map((v) => v.trainableGrad.toArray());
  const loss = () => weightedSum(layer.forward(input, step()), w);
  assertClose(analyticInput, numericGradient(input, loss, h), tol, `${layer.name} ∂L/∂input`);
  layer.trainableVariables.forEach((v, k) => {
    assertClose(analyticParams[k], numericGradient(v.value, loss, h), tol, `∂L/∂${v.name}`);
  });
}

export const LOSS_ROWS = 4;
export const LOSS_COLS = 3;

export interface LossCase {
  loss: LossName;
  /** Predictions, LOSS_ROWS × LOSS_COLS; categorical rows deliberately do not sum to 1. */
  p: Float32Array;
  /** Labels: hard and soft ones, or class indices for the sparse loss. */
  y: Float32Array;
}

/** One case per loss; p stays in [0.1, 1) so clipping never engages. */
export function lossCases(): LossCase[] {
  const rng = new RandomState(31);
  const n = LOSS_ROWS * LOSS_COLS;
  const uniform = (low: number, high: number) => Float32Array.from(rng.uniform(low, high, n));
  return [
    {
      loss: 'binary_crossentropy',
      p: uniform(0.1, 0.9),
      y: Float32Array.from([1, 0, 0.3, 0, 1, 1, 0.8, 0, 1, 0, 0, 1]),
    },
    {
      loss: 'categorical_crossentropy',
      p: uniform(0.1, 1),
      y: Float32Array.from([0, 1, 0, 1, 0, 0, 0.2, 0.5, 0.3, 0, 0, 1]),
    },
    {
      loss: 'sparse_categorical_crossentropy',
      p: uniform(0.1, 1),
      y: Float32Array.from([1, 0, 2, 2]),
    },
    { loss: 'mean_squared_error', p: normalValues(rng, n), y: normalValues(rng, n) },
  ];
}
