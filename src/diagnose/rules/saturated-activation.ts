/**
 * `saturated_activation`: sigmoid or tanh layers whose units sit on the flat ends.
 *
 * - fraction 0.5: the share of saturated units (derivative below 0.01, src/probe/activation-
 *   stats.ts), median over the last 25% of records, above it (DeepDiagnosis, ICSE 2022: more
 *   than 50% of sigmoid/tanh inputs beyond ±5).
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { round, show } from '../series.js';
import type { RunData } from '../run-data.js';
import { lateFractions, type LateFraction } from './layer-fractions.js';

/** Each sigmoid/tanh layer's late share of saturated units, in model order; or why there is none. */
export function saturatedFractions(run: RunData): LateFraction[] | string {
  const layers = run.layers.filter((l) => l.saturatedFraction !== undefined);
  if (layers.length === 0) {
    return 'needs saturated_fraction/<layer> scalars (gradscope probes of sigmoid/tanh layers); found none';
  }
  return lateFractions(layers.map((l) => ({ name: l.name, series: l.saturatedFraction })));
}

export const saturatedActivation: Rule = {
  name: 'saturated_activation',
  summary: 'sigmoid/tanh units stuck where their derivative is near 0',
  thresholds: {
    fraction: {
      value: 0.5,
      anchor: 'DeepDiagnosis (ICSE 2022)',
      meaning: 'late share of saturated units above this',
    },
  },
  check(run, limits) {
    const fractions = saturatedFractions(run);
    if (typeof fractions === 'string') return { skipped: fractions };
    const verdicts = fractions
      .filter((f) => f.value > limits.fraction)
      .map((f) =>
        verdictOf(this, run, {
          severity: 'warning',
          layer: f.layer,
          firstStep: f.firstStep,
          lastStep: f.lastStep,
          evidence: { saturatedFraction: round(f.value), threshold: limits.fraction, tag: f.tag },
          message: `${show(100 * f.value)}% of ${f.layer}'s units are saturated (median of the last quarter of training)`,
          remedy: {
            gradscope:
              'use --activation relu, or a lower --learning-rate so pre-activations stay small',
            general:
              'use ReLU-family activations, Glorot initialization, batch normalization before the activation, or normalized inputs',
          },
        }),
      );
    return { verdicts };
  },
};
