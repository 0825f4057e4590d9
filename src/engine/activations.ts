/**
 * Activation functions and their derivatives, travelling together in one table
 * (TensorFlow Playground's habit). Elementwise ones are `{ output(x), der(x, y) }` with
 * y = output(x), because sigmoid and tanh derive cheapest from their output; softmax is
 * row-wise and has its own forward/backward.
 *
 * The table is the definition; the loops run in the kernels (src/engine/kernels/elementwise.ts):
 * relu, sigmoid, tanh and linear in wasm SIMD, the others over the table's functions.
 */
import { lookup } from './errors.js';
import { backend } from './kernels/index.js';
import type { PointwiseFunction } from './kernels/elementwise.js';
import { referenceSquares } from './kernels/sum-of-squares.js';

export interface ActivationFunction {
  readonly name: ActivationName;
  /**
   * a = f(z) over `rows` rows of `cols` values. With `bias`, z itself first becomes
   * z + bias (z[r, :] += bias), the Dense layer's pre-activation, in the same pass. Softmax
   * puts each row's max and Σ exp(z − max) into `rowStats` (at 2r and 2r + 1) when given.
   */
  forward(
    z: Float32Array,
    a: Float32Array,
    rows: number,
    cols: number,
    bias?: Float32Array | null,
    rowStats?: Float64Array | null,
  ): void;
  /**
   * ∂L/∂z = ∂L/∂a · ∂a/∂z, written into zGrad. With `measure` (defaults to false), also returns
   * Σ(∂L/∂a)², the backprop signal's squared norm, read as the derivative reads it; else 0.
   */
  backward(
    z: Float32Array,
    a: Float32Array,
    aGrad: Float32Array,
    zGrad: Float32Array,
    rows: number,
    cols: number,
    measure?: boolean,
  ): number;
}

/** One entry of the table: f and f′ (f′ given both x and y = f(x)). */
export type ElementwiseFunction = Omit<PointwiseFunction, 'name'>;

/** keras.activations.leaky_relu's default negative slope. */
export const LEAKY_RELU_ALPHA = 0.2;
/** The SELU constants (Klambauer et al. 2017), as in Keras. */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Beyond this, erf(x) is ±1 to double precision (1 − erf(6) ≈ 2e−17). */
const ERF_SATURATION = 6;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf to within 2e−15 (absolute), from erf(x) = 2/√π·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3·…·(2n+1)):
 * all terms are positive, so unlike the Taylor series nothing cancels.
 */
export function erf(x: number): number {
  if (Math.abs(x) >= ERF_SATURATION) return Math.sign(x);
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** The elementwise functions by Keras name. GELU is the exact erf form (Keras' default). */
export const elementwiseFunctions = {
  linear: { output: (x) => x, der: () => 1 },
  sigmoid: { output: (x) => 1 / (1 + Math.exp(-x)), der: (_x, y) => y * (1 - y) },
  tanh: { output: (x) => Math.tanh(x), der: (_x, y) => 1 - y * y },
  // NaN passes through, as in TensorFlow, so a NaN weight is not hidden behind a zero.
  relu: { output: (x) => (x > 0 || x !== x ? x : 0), der: (x) => (x > 0 ? 1 : 0) },
  leaky_relu: {
    output: (x) => (x > 0 ? x : LEAKY_RELU_ALPHA * x),
    der: (x) => (x > 0 ? 1 : LEAKY_RELU_ALPHA),
  },
  elu: { output: (x) => (x > 0 ? x : Math.expm1(x)), der: (x, y) => (x > 0 ? 1 : y + 1) },
  selu: {
    output: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    der: (x, y) => (x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA),
  },
  gelu: {
    output: (x) => 0.5 * x * (1 + erf(x * SQRT_HALF)),
    der: (x) => 0.5 * (1 + erf(x * SQRT_HALF)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
  // Glorot & Bengio (2010) compare it with tanh: it saturates polynomially, not exponentially.
  softsign: { output: (x) => x / (1 + Math.abs(x)), der: (x) => 1 / (1 + Math.abs(x)) ** 2 },
} satisfies Record<string, ElementwiseFunction>;

export type ActivationName = keyof typeof elementwiseFunctions | 'softmax';

function elementwise(name: ActivationName, fn: ElementwiseFunction): ActivationFunction {
  const pointwise: PointwiseFunction = { name, output: fn.output, der: fn.der };
  return {
    name,
    forward(z, a, rows, cols, bias = null) {
      backend.elementwise.biasActivation(pointwise, z, bias, a, rows, cols);
    },
    backward(z, a, aGrad, zGrad, rows, cols, measure = false) {
      return backend.elementwise.activationGrad(
        pointwise,
        z,
        a,
        aGrad,
        zGrad,
        rows * cols,
        measure,
      );
    },
  };
}

/** Row-wise softmax, shifted by the row maximum so exp never overflows. */
const softmax: ActivationFunction = {
  name: 'softmax',
  forward(z, a, rows, cols, bias = null, rowStats = null) {
    if (bias) activations.linear.forward(z, z, rows, cols, bias);
    backend.elementwise.softmaxRows(z, a, rows, cols, rowStats);
  },
  // ∂L/∂z_j = a_j (∂L/∂a_j − Σ_k ∂L/∂a_k a_k)
  backward(_z, a, aGrad, zGrad, rows, cols, measure = false) {
    const squares = measure ? referenceSquares(aGrad, rows * cols) : 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += aGrad[o + j] * a[o + j];
      for (let j = 0; j < cols; j++) zGrad[o + j] = a[o + j] * (aGrad[o + j] - dot);
    }
    return squares;
  },
};

export const activations: Readonly<Record<ActivationName, ActivationFunction>> = {
  ...(Object.fromEntries(
    Object.entries(elementwiseFunctions).map(([name, fn]) => [
      name,
      elementwise(name as ActivationName, fn),
    ]),
  ) as Record<keyof typeof elementwiseFunctions, ActivationFunction>),
  softmax,
};

export const ACTIVATION_NAMES = Object.keys(activations) as ActivationName[];

export function getActivation(name: string): ActivationFunction {
  return lookup(activations, name, 'activation');
}
