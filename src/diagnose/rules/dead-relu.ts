/**
 * `dead_relu`: ReLU layers whose units output 0 for every sample.
 *
 * - error 0.7: the share of dead units, median over the last 25% of records, at or above it
 *   (DeepDiagnosis, ICSE 2022: ≥ 70% of ReLU outputs ≤ 0; AUTOTRAINER: ≥ 70% zero gradients);
 * - warning 0.5: at or above it (SageMaker Debugger DeadRelu: ≥ 50% of a layer inactive).
 *
 * From `dead_fraction/<layer>` (gradscope), or else from the share of exactly-zero gradient
 * elements in `gradients/<param>` histograms whose buckets resolve zero (a bucket within
 * ±1e-12, as PyTorch's and TensorFlow's default bins have): a dead unit passes no gradient to
 * its incoming weights.
 */
import type { HistogramPoint } from '../../log/points.js';
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { seriesFromPoints, type RunData, type Series } from '../run-data.js';
import { round, show } from '../series.js';
import { lateFractions, type LateFraction } from './layer-fractions.js';

/** The half-width of the buckets that hold 0 in TensorFlow's and PyTorch's default bins. */
const ZERO_WIDTH = 1e-12 * (1 + 1e-9);

/** Share of the histogram's values within ±ZERO_WIDTH, or undefined when no bucket is that fine. */
function zeroShare(point: HistogramPoint): number | undefined {
  let total = 0;
  let zero = 0;
  let resolved = false;
  for (const { left, right, count } of point.buckets) {
    total += count;
    if (Math.abs(left) <= ZERO_WIDTH && Math.abs(right) <= ZERO_WIDTH) {
      zero += count;
      resolved = true;
    }
  }
  return resolved && total > 0 ? zero / total : undefined;
}

/**
 * Each layer's late share of dead units, in model order, and where it was read from; or why
 * there is none (for `skipped`).
 */
export function deadFractions(
  run: RunData,
): { fractions: LateFraction[]; source: string } | string {
  let layers: { name: string; series?: Series }[] = run.layers
    .filter((l) => l.deadFraction !== undefined)
    .map((l) => ({ name: l.name, series: l.deadFraction }));
  let source = 'dead_fraction';
  if (layers.length === 0) {
    source = 'zero gradients';
    layers = run.parameters.flatMap((p) => {
      if (p.isBias || p.gradients === undefined) return [];
      const points = p.gradients.points.flatMap((h) => {
        const share = zeroShare(h);
        return share === undefined ? [] : [{ step: h.step, wallTime: h.wallTime, value: share }];
      });
      return points.length === 0
        ? []
        : [{ name: p.layer, series: seriesFromPoints(p.gradients.tag, points) }];
    });
  }
  if (layers.length === 0) {
    return 'needs dead_fraction/<layer> scalars (gradscope probes) or gradients/<param> histograms with a bucket at zero (PyTorch default bins); found neither';
  }
  return { fractions: lateFractions(layers), source };
}

export const deadRelu: Rule = {
  name: 'dead_relu',
  summary: 'ReLU units that output 0 for every sample',
  thresholds: {
    error: {
      value: 0.7,
      anchor: 'DeepDiagnosis (ICSE 2022); AUTOTRAINER (ICSE 2021)',
      meaning: 'late share of dead units at or above this',
    },
    warning: {
      value: 0.5,
      anchor: 'SageMaker Debugger DeadRelu',
      meaning: 'late share of dead units at or above this',
    },
  },
  check(run, limits) {
    const measured = deadFractions(run);
    if (typeof measured === 'string') return { skipped: measured };
    const { fractions, source } = measured;
    const verdicts = fractions
      .filter((f) => f.value >= limits.warning)
      .map((f) =>
        verdictOf(this, run, {
          severity: f.value >= limits.error ? 'error' : 'warning',
          layer: f.layer,
          firstStep: f.firstStep,
          lastStep: f.lastStep,
          evidence: {
            deadFraction: round(f.value),
            errorThreshold: limits.error,
            warningThreshold: limits.warning,
            tag: f.tag,
            source,
          },
          message: `${show(100 * f.value)}% of ${f.layer}'s units are dead (median of the last quarter of training, ${f.tag})`,
          remedy: {
            gradscope:
              'use --activation leaky_relu or elu, and a lower --learning-rate (e.g. 1e-3)',
            general:
              'use LeakyReLU or ELU, He initialization with biases ≥ 0, and a lower learning rate',
          },
        }),
      );
    return { verdicts };
  },
};
