/**
 * Activation functions and their derivatives on a grid, and the facts about vanishing
 * gradients that follow from them: sigmoid′ never exceeds 0.25, so every sigmoid layer a
 * gradient passes back through shrinks it by at least 4×.
 *
 * The math is local for now; it moves to the engine's activation table (src/engine) later.
 */
import { ValueError } from '../engine/errors.js';

/** Keras' LeakyReLU layer default negative slope. */
export const LEAKY_RELU_ALPHA = 0.3;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Beyond this, erf(x) is ±1 to double precision (1 − erf(6) ≈ 2e−17). */
const ERF_SATURATION = 6;

/**
 * erf to within 2e−15 (absolute), from erf(x) = 2/√π·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3·…·(2n+1)): all terms are
 * positive, so unlike the Taylor series nothing cancels.
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

/** A function and its derivative, together. */
export interface ScalarActivation {
  output(x: number): number;
  der(x: number): number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * The activations compared. At the kink x = 0, ReLU′ is 0 and LeakyReLU′ is alpha, as in
 * TensorFlow's gradients. GELU is the exact erf form x·Φ(x) (Keras' default, approximate=False).
 */
export const ACTIVATIONS = {
  sigmoid: { output: sigmoid, der: (x: number) => sigmoid(x) * (1 - sigmoid(x)) },
  tanh: { output: Math.tanh, der: (x: number) => 1 - Math.tanh(x) ** 2 },
  relu: { output: (x: number) => Math.max(0, x), der: (x: number) => (x > 0 ? 1 : 0) },
  leaky_relu: {
    output: (x: number) => (x > 0 ? x : LEAKY_RELU_ALPHA * x),
    der: (x: number) => (x > 0 ? 1 : LEAKY_RELU_ALPHA),
  },
  gelu: {
    output: (x: number) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
    der: (x: number) =>
      0.5 * (1 + erf(x * Math.SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
} satisfies Record<string, ScalarActivation>;

export type ActivationName = keyof typeof ACTIVATIONS;

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

export interface ActivationCurvesArgs {
  /** Left end of the x grid. Defaults to -6. */
  from?: number;
  /** Right end of the x grid. Defaults to 6. */
  to?: number;
  /** Grid points, ends included; an odd count on a symmetric range hits x = 0. Defaults to 241. */
  points?: number;
}

/** The largest value of a sampled curve and where it occurs. */
export interface Peak {
  value: number;
  at: number;
}

export interface ActivationCurves {
  x: number[];
  /** For each activation, its value and derivative at every x. */
  curves: Record<ActivationName, { value: number[]; derivative: number[] }>;
  /** Maximum of each derivative over the grid. */
  derivativePeaks: Record<ActivationName, Peak>;
  /** Fewest stacked sigmoid layers whose best-case factor (max sigmoid′)ⁿ is ≤ 1e−3. */
  sigmoidLayersToThousandth: number;
}

/** The factor a gradient may shrink to before we call it vanished. */
export const VANISHED = 1e-3;

function peak(x: readonly number[], values: readonly number[]): Peak {
  let best = 0;
  values.forEach((value, i) => {
    if (value > values[best]) best = i;
  });
  return { value: values[best], at: x[best] };
}

/** Samples every activation and its derivative on an even grid; pure. */
export function activationCurves({
  from = -6,
  to = 6,
  points = 241,
}: ActivationCurvesArgs = {}): ActivationCurves {
  if (!Number.isInteger(points) || points < 2) {
    throw new ValueError(`activationCurves: points must be an integer ≥ 2. Received: ${points}`);
  }
  if (!(to > from)) {
    throw new ValueError(`activationCurves: 'to' must exceed 'from'. Received: ${from}..${to}`);
  }
  // from + (to−from)·i/(points−1) rather than repeated adding, so x = 0 comes out exactly 0.
  const x = Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
  const entries = ACTIVATION_NAMES.map((name) => {
    const { output, der } = ACTIVATIONS[name];
    return [name, { value: x.map(output), derivative: x.map(der) }] as const;
  });
  const curves = Object.fromEntries(entries) as ActivationCurves['curves'];
  const derivativePeaks = Object.fromEntries(
    ACTIVATION_NAMES.map((name) => [name, peak(x, curves[name].derivative)]),
  ) as ActivationCurves['derivativePeaks'];
  const shrink = derivativePeaks.sigmoid.value;
  return {
    x,
    curves,
    derivativePeaks,
    sigmoidLayersToThousandth: Math.ceil(Math.log(VANISHED) / Math.log(shrink)),
  };
}

export { activationsSection } from './activations-section.js';
