/**
 * The gradient through time of recurrent layers, as both ratio rules read it: from the
 * `through_time/<layer>/step_<s>` profiles (‖∂L/∂h_t‖ against t = 1 … T, recorded at training
 * step s; src/probe/tags.ts), the earliest over the latest time step's norm,
 * ‖∂L/∂h_1‖/‖∂L/∂h_T‖, and the per-step factor it averages to, ratio^(1/(T−1)).
 *
 * Backpropagation through time multiplies ∂L/∂h_T by one Jacobian ∂h_t/∂h_{t−1} per step back,
 * so the ratio shrinks or grows geometrically with T when the factor stays below or above 1
 * (Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio 2013): the time steps play the part
 * that the layers play in AUTOTRAINER's first/last-layer ratio.
 *
 * Which profile. Per layer, the latest training step whose profile is finite at both ends: the
 * state the run ended in (a profile at initialization that training has since repaired is no
 * verdict). A layer with a cell state (LSTM: `through_time_cell/…`) is judged by the state
 * whose ratio is larger, since the gradient reaches the early steps along either path.
 */
import type { Remedy, Rule, Severity, Verdict } from '../rule.js';
import { verdictOf } from '../rule.js';
import type { RunData, ThroughTimeSeries } from '../run-data.js';
import { oncePerRun } from '../run-data.js';
import { round, show } from '../series.js';

/** One layer's gradient through time at one training step. */
export interface TimeGradient {
  /** The recurrent layer as the tags name it; null when they name none. */
  layer: string | null;
  /** The state whose profile is judged (the larger ratio of hidden and cell). */
  state: 'hidden' | 'cell';
  /** Whether the layer logs a cell state (an LSTM): a gated cell already. */
  hasCellState: boolean;
  /** The training step s the profile was recorded at. */
  trainingStep: number;
  /** Time steps in the profile, and the earliest and latest (the records' steps t). */
  T: number;
  firstTime: number;
  lastTime: number;
  /** ‖∂L/∂h‖ at the earliest and the latest time step. */
  earliest: number;
  latest: number;
  /** earliest / latest. */
  ratio: number;
  /** ratio^(1/(T−1)): the geometric mean of the factors of the T − 1 steps back. */
  stepFactor: number;
  tag: string;
}

/**
 * `rule`'s verdict on one layer's gradient through time: the layer is the recurrent layer (or
 * "through time" when the tags name none), the steps the profile's training step, the evidence
 * the measured numbers and `thresholds`.
 */
export function timeVerdict(
  rule: Rule,
  run: RunData,
  measured: TimeGradient,
  fields: {
    severity: Severity;
    /** What the gradient through time does: "vanishes", "explodes". */
    does: string;
    /** The threshold that the ratio crossed. */
    threshold: number;
    thresholds: Record<string, number>;
    remedy: Remedy;
  },
): Verdict {
  return verdictOf(rule, run, {
    severity: fields.severity,
    layer: measured.layer ?? 'through time',
    firstStep: measured.trainingStep,
    lastStep: measured.trainingStep,
    evidence: { ...timeEvidence(measured), ...fields.thresholds },
    message: `the gradient through time ${fields.does}: ${timeMessage(measured)}; threshold ${fields.threshold}`,
    remedy: fields.remedy,
  });
}

/** The numbers behind a through-time verdict, as its evidence lists them. */
function timeEvidence(measured: TimeGradient): Record<string, number | string> {
  return {
    ratio: round(measured.ratio),
    earliestNorm: round(measured.earliest),
    latestNorm: round(measured.latest),
    stepFactor: round(measured.stepFactor),
    timeSteps: measured.T,
    trainingStep: measured.trainingStep,
    state: measured.state,
    tag: measured.tag,
  };
}

/**
 * "‖∂L/∂h_1‖ is 1.61e-7× ‖∂L/∂h_21‖ at training step 0 (×0.4574 per step back on average, the
 * geometric mean over the 20 steps)".
 */
function timeMessage(measured: TimeGradient): string {
  const { state, firstTime, lastTime, ratio, trainingStep, stepFactor, T } = measured;
  const symbol = state === 'cell' ? 'c' : 'h';
  return (
    `‖∂L/∂${symbol}_${firstTime}‖ is ${show(ratio)}× ‖∂L/∂${symbol}_${lastTime}‖ at training ` +
    `step ${trainingStep} (×${show(stepFactor)} per step back on average, the geometric mean ` +
    `over the ${T - 1} steps)`
  );
}

export const THROUGH_TIME_TAGS_NEEDED =
  'through_time/<layer>/step_<s> scalars (‖∂L/∂h_t‖ against t, gradscope ThroughTimeProbe)';

/** One TimeGradient per recurrent layer with a usable profile, in tag order. */
export const timeGradients = oncePerRun(computeTimeGradients);

function computeTimeGradients(run: RunData): TimeGradient[] {
  const latest = new Map<string | null, Omit<TimeGradient, 'hasCellState'>>();
  for (const profile of run.throughTime) {
    const measured = measure(profile);
    if (measured === undefined) continue;
    const kept = latest.get(profile.layer);
    if (
      kept === undefined ||
      measured.trainingStep > kept.trainingStep ||
      (measured.trainingStep === kept.trainingStep && measured.ratio > kept.ratio)
    ) {
      latest.set(profile.layer, measured);
    }
  }
  const withCell = new Set(run.throughTime.filter((p) => p.state === 'cell').map((p) => p.layer));
  return [...latest.values()].map((m) => ({ ...m, hasCellState: withCell.has(m.layer) }));
}

function measure(profile: ThroughTimeSeries): Omit<TimeGradient, 'hasCellState'> | undefined {
  const { steps, values } = profile.series.columns;
  const T = values.length;
  if (T < 2) return undefined;
  // Record steps are the time steps: the earliest and latest are the smallest and largest t.
  let first = 0;
  let last = 0;
  for (let i = 1; i < T; i++) {
    if (steps[i] < steps[first]) first = i;
    if (steps[i] > steps[last]) last = i;
  }
  const earliest = values[first];
  const latest = values[last];
  if (!Number.isFinite(earliest) || !Number.isFinite(latest) || !(latest > 0)) return undefined;
  const ratio = earliest / latest;
  return {
    layer: profile.layer,
    state: profile.state,
    trainingStep: profile.trainingStep,
    T,
    firstTime: steps[first],
    lastTime: steps[last],
    earliest,
    latest,
    ratio,
    stepFactor: ratio ** (1 / (T - 1)),
    tag: profile.series.tag,
  };
}
