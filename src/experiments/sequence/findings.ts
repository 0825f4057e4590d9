/** What the adding-problem runs show, computed from their results (never asserted in advance). */
import { formatNumber as fmt } from '../../charts/format.js';
import type { SequenceResult } from './results.js';

/** A run solved the task when its test MSE is below this share of the mean predictor's. */
export const SOLVED_SHARE = 0.1;
/** A run learned nothing useful when its test MSE is at least this share of the mean predictor's. */
export const FAILED_SHARE = 0.9;

export type Outcome = 'solved' | 'partly learned' | 'no better than the mean';

export function outcome(result: SequenceResult): Outcome {
  const share = result.testMse / result.baselineMse;
  if (share < SOLVED_SHARE) return 'solved';
  return share >= FAILED_SHARE ? 'no better than the mean' : 'partly learned';
}

/** ‖∂L/∂h_1‖/‖∂L/∂h_T‖ of a profile. */
export function firstToLast(ratios: readonly number[]): number {
  return ratios[0];
}

function modelFinding(model: string, runs: readonly SequenceResult[]): string {
  const parts = runs.map(
    (r) =>
      `${fmt(r.testMse)} at T=${r.timesteps} (${fmt(r.testMse / r.baselineMse)}× the mean ` +
      `predictor's ${fmt(r.baselineMse)}: ${outcome(r)})`,
  );
  return `${model}: test MSE ${parts.join(', ')}.`;
}

function gradientFinding(timesteps: number, runs: readonly SequenceResult[]): string {
  const parts = runs.map(
    (r) =>
      `${r.model} ${fmt(firstToLast(r.after.ratios))} (at initialization ` +
      `${fmt(firstToLast(r.before.ratios))})`,
  );
  return (
    `At T=${timesteps}, the gradient reaching the first step, ‖∂L/∂h_1‖/‖∂L/∂h_T‖, at the ` +
    `last training step: ${parts.join('; ')}.`
  );
}

/** What the literature reports for the longest T, and whether this run shows the same. */
function literatureFinding(longest: readonly SequenceResult[], steps: number): string {
  const expected = (r: SequenceResult) => (r.model === 'simple_rnn' ? 'fail' : 'solve');
  const measured = longest.map((r) => `${r.model} ${outcome(r)}`).join(', ');
  const agreeing = longest.filter((r) =>
    expected(r) === 'solve' ? outcome(r) === 'solved' : outcome(r) !== 'solved',
  );
  const verdict =
    agreeing.length === longest.length
      ? 'This run agrees on every model.'
      : `This run agrees on ${agreeing.length} of ${longest.length} models` +
        (agreeing.length > 0 ? ` (${agreeing.map((r) => r.model).join(', ')}).` : '.');
  return (
    'Hochreiter & Schmidhuber (1997) and Le, Jaitly & Hinton (2015) report that a plain RNN ' +
    'fails on the adding problem as T grows while gated cells (LSTM; GRU in later work) solve ' +
    `it. Here, after ${steps} training steps, at T=${longest[0].timesteps}: ${measured}. ${verdict}`
  );
}

export function sequenceFindings(results: readonly SequenceResult[], steps: number): string[] {
  const models = [...new Set(results.map((r) => r.model))];
  const lengths = [...new Set(results.map((r) => r.timesteps))].sort((a, b) => a - b);
  const at = (T: number) => results.filter((r) => r.timesteps === T);
  const longest = lengths[lengths.length - 1];
  return [
    ...models.map((m) =>
      modelFinding(
        m,
        results.filter((r) => r.model === m),
      ),
    ),
    gradientFinding(longest, at(longest)),
    literatureFinding(at(longest), steps),
  ];
}
