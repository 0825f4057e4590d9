/** What the Titanic runs show, computed from their series (never asserted in advance). */
import { median } from '../../engine/statistics.js';
import { formatNumber as fmt } from '../../charts/format.js';
import { checkFindings, type CheckedRun } from '../verdicts.js';
import type { TitanicRun, WeightLabel } from './train.js';

/** Updates up to this one are the article's "first ~10". */
export const EARLY_UPDATES = 10;
/** The checks whose verdicts (or their absence) the section states for every run. */
export const TITANIC_CHECKS = ['vanishing_gradient', 'unchanged_weights'] as const;
/** Checks stated where the run logged what they need (dead units for ReLU, saturation for sigmoid). */
export const TITANIC_UNIT_CHECKS = ['dead_relu', 'saturated_activation'] as const;

export interface TitanicFacts {
  /** The early updates left out of the "late" medians: 10, or half the run when shorter. */
  earlyUpdates: number;
  /** Median ‖ΔW‖/‖W‖ over the updates after the early ones. */
  lateUpdateRatio: Record<WeightLabel, number>;
  /** Median gradient norm over all updates (in the run's norm kind). */
  medianGradNorm: Record<WeightLabel, number>;
  /** ‖∂L/∂a‖ at W0's output over that at W2's output (L2 in either norm kind), median. */
  signalDecay: number;
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
  };
}

/**
 * Per run: two sentences of measurements, from its facts, then what diagnose found on it (the
 * verdicts, or their absence with what the rules measured).
 */
export function titanicFindings(
  run: TitanicRun,
  facts: TitanicFacts,
  updates: number,
  checked: CheckedRun,
): string[] {
  const { lateUpdateRatio: r, medianGradNorm: g } = facts;
  const norms = run.normKind === 'squared' ? 'median Σg²' : 'median gradient norms';
  return [
    `${run.activation}: after update ${facts.earlyUpdates}, W0 changed by a median ${fmt(r.W0)} of its ` +
      `norm per update against ${fmt(r.W1)} for W1 and ${fmt(r.W2)} for W2 ` +
      `(W1/W0 = ${fmt(r.W1 / r.W0)}×).`,
    `${run.activation}: ${norms} over ${updates} updates: W0 ${fmt(g.W0)}, W1 ${fmt(g.W1)}, ` +
      `W2 ${fmt(g.W2)}; the backprop signal at W0's output is ${fmt(facts.signalDecay)}× the one ` +
      `at W2's output.`,
    ...checkFindings(run.activation, checked, TITANIC_CHECKS, TITANIC_UNIT_CHECKS),
  ];
}

/**
 * The article's finding beside this run's: it reports W0 effectively frozen after the first
 * ~10 updates with sigmoid while W1 keeps moving. Here that is a verdict of the rule engine
 * (vanishing_gradient, unchanged_weights) or none, with the measured W1/W0.
 */
export function articleFinding(facts: TitanicFacts, checked: CheckedRun): string {
  const verdicts = checked.diagnosis.verdicts.filter((v) =>
    (TITANIC_CHECKS as readonly string[]).includes(v.check),
  );
  const found =
    verdicts.length === 0
      ? `diagnose gives no ${TITANIC_CHECKS.join(' or ')} verdict on it`
      : `diagnose gives ${verdicts.map((v) => `a ${v.check} ${v.severity}${v.layer ? ` on ${v.layer}` : ''}`).join(' and ')}`;
  const { W0, W1 } = facts.lateUpdateRatio;
  return (
    `The article finds W0 effectively frozen after about ${EARLY_UPDATES} updates with sigmoid while ` +
    `W1 keeps moving. In this sigmoid run W1 moved ${fmt(W1 / W0)}× as much as W0 per update after ` +
    `update ${facts.earlyUpdates}, and ${found}.`
  );
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
