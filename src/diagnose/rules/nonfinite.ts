/**
 * `nonfinite`: the first step at which a NaN or ±Infinity appears, and where it came from: the
 * loss, the gradient of a parameter, or the weights (or else the first tag that shows it).
 * No threshold: any non-finite value is an error (SageMaker Debugger ExplodingTensor; AUTOTRAINER
 * and DeepDiagnosis "numerical error"). At one step the loss comes first, then the gradients
 * (the parameter nearest the output, where backpropagation starts), then the weights.
 *
 * The weights' side is every value of the weights after an update: `weight_norm/<p>`,
 * `update_ratio/<p>` (‖ΔW‖/‖W‖: non-finite once W or ΔW is) and `weights/<p>` histograms; each
 * names "the weights of <p>", never the tag. A through-time profile's record steps are time
 * steps: a non-finite value in it is dated by the training step its tag names, and named "the
 * gradient through time of <layer>" (backpropagation through time computes it before the
 * parameters' gradients, which are summed from it).
 */
import type { HistogramPoint, ScalarColumns } from '../../log/points.js';
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import type { RunData } from '../run-data.js';
import { histogramIsNonFinite } from '../series.js';

interface Found {
  origin: string;
  layer: string | null;
  tag: string;
  step: number;
  lastStep: number;
  /** Lower comes first at the same step. */
  rank: number;
}

/**
 * The first and last steps of the column's values that `bad` marks: 'nonfinite' (NaN, ±Infinity)
 * or 'positive' (a count of non-finite values: > 0 or NaN). Two tight loops rather than a
 * predicate per value: `nonfinite` scans every series of the run.
 */
function firstBad(
  { steps, values }: ScalarColumns,
  bad: 'nonfinite' | 'positive',
): [number, number] | undefined {
  let first = -1;
  let last = -1;
  const n = values.length;
  if (bad === 'nonfinite') {
    // x − x is NaN exactly for NaN and ±Infinity.
    for (let i = 0; i < n; i++) {
      if (values[i] - values[i] === 0) continue;
      if (first < 0) first = i;
      last = i;
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (values[i] <= 0) continue;
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? undefined : [steps[first], steps[last]];
}

function firstBadHistogram(points: readonly HistogramPoint[]): [number, number] | undefined {
  const bad = points.filter(histogramIsNonFinite);
  return bad.length === 0 ? undefined : [bad[0].step, bad[bad.length - 1].step];
}

function findings(run: RunData): Found[] {
  const found: Found[] = [];
  const add = (
    origin: string,
    layer: string | null,
    tag: string,
    steps: [number, number] | undefined,
    rank: number,
  ): void => {
    if (steps !== undefined)
      found.push({ origin, layer, tag, step: steps[0], lastStep: steps[1], rank });
  };
  if (run.loss) add('the loss', null, run.loss.tag, firstBad(run.loss.columns, 'nonfinite'), 0);
  if (run.nonfiniteLoss)
    add(
      'the loss',
      null,
      run.nonfiniteLoss.tag,
      firstBad(run.nonfiniteLoss.columns, 'positive'),
      0,
    );
  const count = run.parameters.length;
  run.parameters.forEach((p, k) => {
    // Nearer the output ranks first among gradients: backpropagation starts there.
    const rank = 1 + (count - k) / (count + 1);
    if (p.gradNorm)
      add(
        `the gradient of ${p.name}`,
        p.name,
        p.gradNorm.tag,
        firstBad(p.gradNorm.columns, 'nonfinite'),
        rank,
      );
    if (p.gradients)
      add(
        `the gradient of ${p.name}`,
        p.name,
        p.gradients.tag,
        firstBadHistogram(p.gradients.points),
        rank,
      );
    for (const weightSide of [p.weightNorm, p.updateRatio]) {
      if (weightSide)
        add(
          `the weights of ${p.name}`,
          p.name,
          weightSide.tag,
          firstBad(weightSide.columns, 'nonfinite'),
          3,
        );
    }
    if (p.weights)
      add(
        `the weights of ${p.name}`,
        p.name,
        p.weights.tag,
        firstBadHistogram(p.weights.points),
        3,
      );
  });
  if (run.nonfiniteGradients)
    add(
      'the gradients',
      null,
      run.nonfiniteGradients.tag,
      firstBad(run.nonfiniteGradients.columns, 'positive'),
      2.5,
    );
  if (run.nonfiniteWeights)
    add(
      'the weights',
      null,
      run.nonfiniteWeights.tag,
      firstBad(run.nonfiniteWeights.columns, 'positive'),
      3.5,
    );
  for (const profile of run.throughTime) {
    if (firstBad(profile.series.columns, 'nonfinite') === undefined) continue;
    const layer = profile.layer ?? 'the recurrent layer';
    const step = profile.trainingStep;
    add(
      `the gradient through time of ${layer}`,
      profile.layer,
      profile.series.tag,
      [step, step],
      0.5,
    );
  }
  const known = new Set(found.map((f) => f.tag));
  for (const series of run.scalars) {
    if (known.has(series.tag) || series.tag.startsWith('nonfinite/')) continue;
    add(`the tag ${series.tag}`, null, series.tag, firstBad(series.columns, 'nonfinite'), 4);
  }
  return found;
}

export const nonfinite: Rule = {
  name: 'nonfinite',
  summary:
    'the first NaN or ±Infinity, and its origin: the loss, the gradient of a parameter, or the weights',
  thresholds: {},
  check(run) {
    if (run.scalars.length === 0 && run.histograms.length === 0) {
      return { skipped: 'needs at least one scalar or histogram tag; the run has none' };
    }
    const found = findings(run);
    if (found.length === 0) return { verdicts: [] };
    found.sort((a, b) => a.step - b.step || a.rank - b.rank);
    const first = found[0];
    const atFirst = found.filter((f) => f.step === first.step);
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'error',
          layer: first.layer,
          firstStep: first.step,
          lastStep: Math.max(...found.map((f) => f.lastStep)),
          evidence: {
            origin: first.origin,
            tag: first.tag,
            firstStep: first.step,
            tagsNonFiniteAtFirstStep: atFirst.length,
          },
          message: `${first.origin} is NaN or infinite from step ${first.step} (${first.tag}); ${atFirst.length} tag(s) non-finite at that step`,
          remedy: {
            gradscope:
              'clip the gradients with --clip-global-norm 1 and lower the learning rate (--learning-rate 1e-3); check the inputs for NaN',
            general:
              'clip the global gradient norm (PyTorch: torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); Keras: clipnorm=1.0), lower the learning rate 10×, and check the inputs and the loss for log(0) or division by zero',
          },
        }),
      ],
    };
  },
};
