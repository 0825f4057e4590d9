/** What the Titanic runs show, computed from their series (never asserted in advance). */
import type { TitanicRun, WeightLabel } from './titanic.js';

/** Updates up to this one are the article's "first ~10". */
export const EARLY_UPDATES = 10;
/** W0 counts as frozen when its typical relative update is below this share of W1's. */
export const FROZEN_SHARE = 1 / 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface TitanicFacts {
  /** Median ‖ΔW‖/‖W‖ over the updates after the early ones. */
  lateUpdateRatio: Record<WeightLabel, number>;
  /** Median gradient norm over all updates. */
  medianGradNorm: Record<WeightLabel, number>;
  /** Share of W[0,0]'s total movement that came after the early updates. */
  lateMovementShare: Record<WeightLabel, number>;
  /** ‖∂L/∂a‖ at W0's output divided by that at W2's output, median over updates. */
  signalDecay: number;
  /** Whether W0's late relative updates were under FROZEN_SHARE of W1's. */
  w0Froze: boolean;
}

const LABELS: readonly WeightLabel[] = ['W0', 'W1', 'W2'];

function perWeight(pick: (label: WeightLabel) => number): Record<WeightLabel, number> {
  return Object.fromEntries(LABELS.map((label) => [label, pick(label)])) as Record<
    WeightLabel,
    number
  >;
}

export function titanicFacts(run: TitanicRun): TitanicFacts {
  const { series, initialElement } = run;
  const late = (values: number[]) => values.slice(EARLY_UPDATES);
  const lateUpdateRatio = perWeight((w) => median(late(series.updateRatio[w])));
  const lateMovementShare = perWeight((w) => {
    const trajectory = series.element[w];
    const last = trajectory[trajectory.length - 1];
    const early = trajectory[Math.min(EARLY_UPDATES, trajectory.length) - 1];
    const total = Math.abs(last - initialElement[w]);
    return total === 0 ? 0 : Math.abs(last - early) / total;
  });
  const decay = series.signalNorm.W0.map((value, k) => value / series.signalNorm.W2[k]);
  return {
    lateUpdateRatio,
    medianGradNorm: perWeight((w) => median(series.gradNorm[w])),
    lateMovementShare,
    signalDecay: median(decay),
    w0Froze: lateUpdateRatio.W0 < FROZEN_SHARE * lateUpdateRatio.W1,
  };
}

const fmt = (x: number) =>
  Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(3) : x.toExponential(2);

/** One or two sentences per run, from its facts. */
export function titanicFindings(run: TitanicRun, facts: TitanicFacts, updates: number): string[] {
  const { lateUpdateRatio: r, medianGradNorm: g } = facts;
  const ratio = r.W1 / r.W0;
  const lines = [
    `${run.activation}: after update ${EARLY_UPDATES}, W0 changed by a median ${fmt(r.W0)} of its norm per ` +
      `update against ${fmt(r.W1)} for W1 and ${fmt(r.W2)} for W2 (W1/W0 = ${fmt(ratio)}×); ` +
      (facts.w0Froze
        ? `W0 is effectively frozen while W1 keeps moving, as the article found.`
        : `W0 did not freeze relative to W1 in this run.`),
    `${run.activation}: median gradient norms over ${updates} updates: W0 ${fmt(g.W0)}, W1 ${fmt(g.W1)}, ` +
      `W2 ${fmt(g.W2)}; the backprop signal at W0's output is ${fmt(facts.signalDecay)}× the one at W2's output.`,
  ];
  return lines;
}

/** Sigmoid against ReLU on the input-side matrix W0. */
export function comparisonFinding(sigmoid: TitanicFacts, relu: TitanicFacts): string {
  return (
    `With ReLU, W0's median gradient norm is ${fmt(relu.medianGradNorm.W0 / sigmoid.medianGradNorm.W0)}× ` +
    `sigmoid's and it moves ${fmt(relu.lateUpdateRatio.W0 / sigmoid.lateUpdateRatio.W0)}× more per update ` +
    `after update ${EARLY_UPDATES}; the backprop signal reaching W0 keeps ${fmt(relu.signalDecay)} of its ` +
    `size at W2 with ReLU against ${fmt(sigmoid.signalDecay)} with sigmoid.`
  );
}
