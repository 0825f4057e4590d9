/** What the Titanic runs show, computed from their series (never asserted in advance). */
import { median } from '../../engine/statistics.js';
import { formatNumber as fmt } from '../../charts/format.js';
import type { TitanicRun, WeightLabel } from './train.js';

/** Updates up to this one are the article's "first ~10". */
export const EARLY_UPDATES = 10;
/** W0 counts as frozen when its typical relative update is below this share of W1's. */
export const FROZEN_SHARE = 1 / 3;

export interface TitanicFacts {
  /** The early updates left out of the "late" medians: 10, or half the run when shorter. */
  earlyUpdates: number;
  /** Median ‖ΔW‖/‖W‖ over the updates after the early ones. */
  lateUpdateRatio: Record<WeightLabel, number>;
  /** Median gradient norm over all updates (in the run's norm kind). */
  medianGradNorm: Record<WeightLabel, number>;
  /** ‖∂L/∂a‖ at W0's output over that at W2's output (L2 in either norm kind), median. */
  signalDecay: number;
  /** Whether W0's late relative updates were under FROZEN_SHARE of W1's. */
  w0Froze: boolean;
}

const LABELS: readonly WeightLabel[] = ['W0', 'W1', 'W2'];

function perWeight(pick: (label: WeightLabel) => number): Record<WeightLabel, number> {
  const entries = LABELS.map((label) => [label, pick(label)]);
  return Object.fromEntries(entries) as Record<WeightLabel, number>;
}

export function titanicFacts(run: TitanicRun): TitanicFacts {
  const { series } = run;
  const earlyUpdates = Math.min(EARLY_UPDATES, Math.floor(series.loss.length / 2));
  const lateUpdateRatio = perWeight((w) => median(series.updateRatio[w].slice(earlyUpdates)));
  const toL2 = run.normKind === 'squared' ? Math.sqrt : (x: number) => x;
  const decay = series.signalNorm.W0.map((value, k) => toL2(value / series.signalNorm.W2[k]));
  return {
    earlyUpdates,
    lateUpdateRatio,
    medianGradNorm: perWeight((w) => median(series.gradNorm[w])),
    signalDecay: median(decay),
    w0Froze: lateUpdateRatio.W0 < FROZEN_SHARE * lateUpdateRatio.W1,
  };
}

/** Two sentences per run, from its facts. */
export function titanicFindings(run: TitanicRun, facts: TitanicFacts, updates: number): string[] {
  const { lateUpdateRatio: r, medianGradNorm: g } = facts;
  const norms = run.normKind === 'squared' ? 'median Σg²' : 'median gradient norms';
  return [
    `${run.activation}: after update ${facts.earlyUpdates}, W0 changed by a median ${fmt(r.W0)} of its ` +
      `norm per update against ${fmt(r.W1)} for W1 and ${fmt(r.W2)} for W2 ` +
      `(W1/W0 = ${fmt(r.W1 / r.W0)}×); ` +
      (facts.w0Froze
        ? 'W0 is effectively frozen while W1 keeps moving, as the article found.'
        : 'W0 did not freeze relative to W1 in this run.'),
    `${run.activation}: ${norms} over ${updates} updates: W0 ${fmt(g.W0)}, W1 ${fmt(g.W1)}, ` +
      `W2 ${fmt(g.W2)}; the backprop signal at W0's output is ${fmt(facts.signalDecay)}× the one ` +
      `at W2's output.`,
  ];
}

/** Sigmoid against ReLU on the input-side matrix W0. */
export function comparisonFinding(sigmoid: TitanicFacts, relu: TitanicFacts): string {
  const gradRatio = relu.medianGradNorm.W0 / sigmoid.medianGradNorm.W0;
  const moveRatio = relu.lateUpdateRatio.W0 / sigmoid.lateUpdateRatio.W0;
  return (
    `With ReLU, W0's median gradient is ${fmt(gradRatio)}× sigmoid's and it moves ` +
    `${fmt(moveRatio)}× more per update after update ${relu.earlyUpdates}; the backprop signal ` +
    `reaching W0 keeps ${fmt(relu.signalDecay)} of its size at W2 with ReLU against ` +
    `${fmt(sigmoid.signalDecay)} with sigmoid.`
  );
}
