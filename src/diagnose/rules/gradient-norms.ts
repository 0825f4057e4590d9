/**
 * Gradient norms per parameter and overall, from whichever form the run logged: the
 * `grad_norm/<param>` scalars, or else √Σx² estimated from the `gradients/<param>` histogram's
 * bucket midpoints (how a PyTorch user who logs only histograms is diagnosed).
 */
import type { ParameterData, RunData, Series } from '../run-data.js';
import { seriesFromPoints, seriesLength, seriesOf } from '../run-data.js';
import { atCommonSteps, histogramNorm, median, sameSteps } from '../series.js';

export interface NormSeries extends Series {
  /** 'scalar' when logged as such, 'histogram' when estimated from buckets. */
  source: 'scalar' | 'histogram';
}

export function gradientNorm(parameter: ParameterData): NormSeries | undefined {
  const logged = parameter.gradNorm;
  if (logged !== undefined && seriesLength(logged) > 0) {
    // Not a spread: that would make the series' point objects.
    return Object.assign(seriesOf(logged.tag, logged.columns), { source: 'scalar' as const });
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

/** The weight (non-bias) parameters that have gradient norms, in model order. */
export function kernelGradientNorms(
  run: RunData,
): { parameter: ParameterData; norm: NormSeries }[] {
  return run.parameters.flatMap((parameter) => {
    const norm = parameter.isBias ? undefined : gradientNorm(parameter);
    return norm === undefined ? [] : [{ parameter, norm }];
  });
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
      for (let i = 0; i < sums.length; i++) sums[i] += columns.values[i] ** 2;
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

/** The first and last weight parameters' gradient norms side by side, as both ratio rules read them. */
export interface FirstLastGradients {
  first: { parameter: ParameterData; norm: NormSeries };
  last: { parameter: ParameterData; norm: NormSeries };
  /** Steps where both norms are finite and the last one positive: a = first, b = last. */
  pairs: { step: number; a: number; b: number }[];
  /** Median over `pairs` of ‖g_first‖/‖g_last‖. */
  ratio: number;
  /** Median over `pairs` of ‖g_first‖. */
  firstNorm: number;
}

/** The input-side over the output-side gradient norm, or why it cannot be had (for `skipped`). */
export function firstLastGradients(run: RunData): FirstLastGradients | string {
  const kernels = kernelGradientNorms(run);
  if (kernels.length < 2) {
    return `needs ${GRADIENT_TAGS_NEEDED}, for at least two; found ${kernels.length}`;
  }
  const first = kernels[0];
  const last = kernels[kernels.length - 1];
  const pairs = atCommonSteps(first.norm.columns, last.norm.columns).filter(
    (p) => Number.isFinite(p.a) && Number.isFinite(p.b) && p.b > 0,
  );
  if (pairs.length === 0) {
    return `no step where both ${first.norm.tag} and ${last.norm.tag} are finite`;
  }
  return {
    first,
    last,
    pairs,
    ratio: median(pairs.map((p) => p.a / p.b)),
    firstNorm: median(pairs.map((p) => p.a)),
  };
}
