/**
 * Gradient norms per parameter and overall, from whichever form the run logged: the
 * `grad_norm/<param>` scalars, or else √Σx² estimated from the `gradients/<param>` histogram's
 * bucket midpoints (how a PyTorch user who logs only histograms is diagnosed).
 */
import type { ParameterData, RunData, Series } from '../run-data.js';
import { oncePerRun, seriesFromPoints, seriesLength, seriesOf } from '../run-data.js';
import { medianOf } from '../../log/series-kernels.js';
import { medianOfRatios, sameSteps, type CommonSteps } from '../column-passes.js';
import { atCommonSteps, histogramNorm } from '../series.js';

export interface NormSeries extends Series {
  /**
   * 'scalar' when logged as such, 'histogram' when estimated from buckets, 'signal_norm' for a
   * layer's backprop signal (FirstLastGradients).
   */
  source: 'scalar' | 'histogram' | 'signal_norm';
}

/** `series` as a NormSeries from `source` (not a spread: that would make its point objects). */
function normSeries({ tag, columns }: Series, source: NormSeries['source']): NormSeries {
  return Object.assign(seriesOf(tag, columns), { source });
}

export function gradientNorm(parameter: ParameterData): NormSeries | undefined {
  const logged = parameter.gradNorm;
  if (logged !== undefined && seriesLength(logged) > 0) {
    return normSeries(logged, 'scalar');
  }
  const histograms = parameter.gradients;
  if (histograms === undefined || histograms.points.length === 0) return undefined;
  const points = histograms.points.map((p) => ({
    step: p.step,
    wallTime: p.wallTime,
    value: histogramNorm(p),
  }));
  return Object.assign(seriesFromPoints(histograms.tag, points), { source: 'histogram' as const });
}

/** The global gradient norm: logged, or √Σ of the per-parameter norms at each step. */
export function globalGradientNorm(run: RunData): Series | undefined {
  if (seriesLength(run.globalGradNorm) > 0) return run.globalGradNorm;
  const norms = run.parameters.flatMap((p) => gradientNorm(p) ?? []);
  if (norms.length === 0) return undefined;
  const tag = norms.length === 1 ? norms[0].tag : `√Σ ${norms[0].tag.split('/')[0]}/*²`;
  const first = norms[0].columns;
  if (norms.every((norm) => sameSteps(norm.columns.steps, first.steps))) {
    // Parameters logged at the same steps (as probes log them): summed by index.
    const sums = new Float64Array(first.steps.length);
    for (const { columns } of norms) {
      // Read once: a live run's columns are getters.
      const { values } = columns;
      for (let i = 0; i < sums.length; i++) sums[i] += values[i] ** 2;
    }
    return seriesOf(tag, { ...first, values: sums.map(Math.sqrt) });
  }
  const squares = new Map<number, { wallTime: number; value: number }>();
  for (const norm of norms) {
    for (const point of norm.points) {
      const sum = squares.get(point.step);
      if (sum === undefined)
        squares.set(point.step, { wallTime: point.wallTime, value: point.value ** 2 });
      else sum.value += point.value ** 2;
    }
  }
  const points = [...squares].map(([step, { wallTime, value }]) => ({
    step,
    wallTime,
    value: Math.sqrt(value),
  }));
  points.sort((a, b) => a.step - b.step);
  return seriesFromPoints(tag, points);
}

export const GRADIENT_TAGS_NEEDED =
  'grad_norm/<param> scalars or gradients/<param> histograms for weight (non-bias) parameters';

/** One side of FirstLastGradients: a weight parameter, or a layer for the signal. */
export interface NormOf {
  /** The parameter's name (`dense_1/kernel`), or the layer's (`dense_1`) for the signal. */
  name: string;
  norm: NormSeries;
}

/**
 * The first and last weight parameters' gradient norms side by side, as both ratio rules read
 * them. For a run that logs no gradient norms but each layer's backprop signal ‖∂L/∂a‖ (gradscope
 * depth's runs), the first and last layers' signals instead: the kernel's gradient is that
 * signal times the layer's input, so a signal that vanishes towards the input side leaves the
 * first kernels without gradient too.
 */
export interface FirstLastGradients {
  quantity: 'gradient' | 'signal';
  first: NormOf;
  last: NormOf;
  /** Steps where both norms are finite and the last one positive: a = first, b = last. */
  pairs: CommonSteps;
  /** Median over `pairs` of ‖g_first‖/‖g_last‖. */
  ratio: number;
  /** Median over `pairs` of ‖g_first‖. */
  firstNorm: number;
}

export const SIGNAL_TAGS_NEEDED = 'signal_norm/<layer> scalars for two layers or more';

/** The layers that log their backprop signal's norm, in model order. */
function layerSignalNorms(run: RunData): NormOf[] {
  return run.layers.flatMap(({ name, signalNorm }) =>
    signalNorm !== undefined && seriesLength(signalNorm) > 0
      ? [{ name, norm: normSeries(signalNorm, 'signal_norm') }]
      : [],
  );
}

/**
 * The input-side over the output-side gradient norm, or why it cannot be had (for `skipped`).
 * Both ratio rules read it: computed once per run data.
 */
export const firstLastGradients = oncePerRun(computeFirstLastGradients);

/**
 * Of the weight (non-bias) parameters that have gradient norms, in model order, the first and
 * the last: none, one, or two for two or more. Looked for from each end, so that the parameters
 * between are not read: a live run moves a tag's records into its column only when a rule reads
 * it (scalar-log.ts), and the reference model's middle kernels are 7 of its 9.
 */
function firstLastKernels(run: RunData): NormOf[] {
  const { parameters } = run;
  const normOf = (parameter: ParameterData): NormOf | undefined => {
    const norm = parameter.isBias ? undefined : gradientNorm(parameter);
    return norm === undefined ? undefined : { name: parameter.name, norm };
  };
  let first: NormOf | undefined;
  let i = 0;
  while (first === undefined && i < parameters.length) first = normOf(parameters[i++]);
  if (first === undefined) return [];
  for (let j = parameters.length - 1; j >= i; j--) {
    const last = normOf(parameters[j]);
    if (last !== undefined) return [first, last];
  }
  return [first];
}

function computeFirstLastGradients(run: RunData): FirstLastGradients | string {
  const kernels = firstLastKernels(run);
  const signals = kernels.length < 2 ? layerSignalNorms(run) : [];
  const quantity = kernels.length < 2 && signals.length >= 2 ? 'signal' : 'gradient';
  const sides = quantity === 'signal' ? signals : kernels;
  if (sides.length < 2) {
    return `needs ${GRADIENT_TAGS_NEEDED}, for at least two (found ${kernels.length}), or ${SIGNAL_TAGS_NEEDED} (found ${signals.length})`;
  }
  const first = sides[0];
  const last = sides[sides.length - 1];
  const pairs = atCommonSteps(first.norm.columns, last.norm.columns, 'finitePositive');
  const n = pairs.steps.length;
  if (n === 0) {
    return `no step where both ${first.norm.tag} and ${last.norm.tag} are finite`;
  }
  return {
    quantity,
    first,
    last,
    pairs,
    ratio: medianOfRatios(pairs.a, pairs.b),
    firstNorm: medianOf(pairs.a),
  };
}

/**
 * "the gradient of dense_1/kernel is 1e-5 of that of dense_3/kernel", or "the backprop signal
 * ‖∂L/∂a‖ at dense_1 is … that at dense_30", with `how` ("1e-5 of", "120×") in the middle.
 */
export function compared(m: FirstLastGradients, how: string): string {
  return m.quantity === 'signal'
    ? `the backprop signal ‖∂L/∂a‖ at ${m.first.name} is ${how} that at ${m.last.name}`
    : `the gradient of ${m.first.name} is ${how} that of ${m.last.name}`;
}

/** The evidence naming what was compared. */
export function firstLastEvidence(m: FirstLastGradients): Record<string, string> {
  return m.quantity === 'signal'
    ? { firstLayer: m.first.name, lastLayer: m.last.name, source: m.first.norm.source }
    : { firstParameter: m.first.name, lastParameter: m.last.name, source: m.first.norm.source };
}
