/**
 * Activation functions and their derivatives on a grid, and the facts about vanishing
 * gradients that follow from them: sigmoid′ never exceeds 0.25, so every sigmoid layer a
 * gradient passes back through shrinks it by at least 4×.
 */
import { elementwiseFunctions } from '../../engine/activations.js';
import { ValueError } from '../../engine/errors.js';

/** A function and its derivative, together. */
export interface ScalarActivation {
  output(x: number): number;
  der(x: number): number;
}

/** The compared activations, from the engine's table (at ReLU's kink the derivative is 0). */
const COMPARED = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'gelu'] as const;

export const ACTIVATIONS = Object.fromEntries(
  COMPARED.map((name) => {
    const fn = elementwiseFunctions[name];
    return [name, { output: fn.output, der: (x: number) => fn.der(x, fn.output(x)) }];
  }),
) as Record<(typeof COMPARED)[number], ScalarActivation>;

export type ComparedActivation = keyof typeof ACTIVATIONS;

export const COMPARED_ACTIVATIONS = Object.keys(ACTIVATIONS) as ComparedActivation[];

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
  curves: Record<ComparedActivation, { value: number[]; derivative: number[] }>;
  /** Maximum of each derivative over the grid. */
  derivativePeaks: Record<ComparedActivation, Peak>;
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
  const entries = COMPARED_ACTIVATIONS.map((name) => {
    const { output, der } = ACTIVATIONS[name];
    return [name, { value: x.map(output), derivative: x.map(der) }] as const;
  });
  return curvesFromSamples(x, Object.fromEntries(entries) as ActivationCurves['curves']);
}

/** The curves with their peaks and the sigmoid depth, from sampled values (computed or read). */
export function curvesFromSamples(
  x: number[],
  curves: ActivationCurves['curves'],
): ActivationCurves {
  const derivativePeaks = Object.fromEntries(
    COMPARED_ACTIVATIONS.map((name) => [name, peak(x, curves[name].derivative)]),
  ) as ActivationCurves['derivativePeaks'];
  const shrink = derivativePeaks.sigmoid.value;
  return {
    x,
    curves,
    derivativePeaks,
    sigmoidLayersToThousandth: Math.ceil(Math.log(VANISHED) / Math.log(shrink)),
  };
}
