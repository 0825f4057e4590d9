/**
 * The scale of the updates, ‖ΔW‖/‖W‖ per step, for the learning-rate checks: logged as
 * `update_ratio/<param>` (gradscope), or else estimated as learning rate × ‖g‖ / ‖W‖ (the SGD
 * step) from a learning-rate tag, the gradient norms and the weight norms or histograms. About
 * 1e-3 is the usual healthy scale (DeepDiagnosis's effective learning rate; Karpathy's rule
 * of thumb).
 */
import type { ScalarColumns, ScalarPoint } from '../../log/points.js';
import { pointColumns } from '../../log/scalar-columns.js';
import { LEARNING_RATE_TAGS, oncePerRun, seriesLength, type RunData } from '../run-data.js';
import { verdictOf, type Rule, type RuleOutcome } from '../rule.js';
import {
  atCommonSteps,
  finiteMedian,
  histogramNorm,
  maxOf,
  median,
  minOf,
  round,
  show,
} from '../series.js';
import { gradientNorm } from './gradient-norms.js';

export interface UpdateScale {
  /** Median over the weight parameters of each one's median ratio. */
  value: number;
  source: 'update_ratio' | 'learning rate × ‖g‖/‖W‖';
  parameters: number;
  /** Steps of the longest parameter series: what the median is taken over. */
  steps: number;
  firstStep: number;
  lastStep: number;
}

export const UPDATE_TAGS_NEEDED = `update_ratio/<param> scalars, or a learning-rate scalar (${LEARNING_RATE_TAGS.join(', ')}) with grad_norm/<param> (or gradients/<param>) and weight_norm/<param> (or weights/<param>)`;

/** The run's update scale, or why there is none. Both learning-rate checks read it: computed once per run data. */
export const updateScale = oncePerRun(computeUpdateScale);

function computeUpdateScale(run: RunData): UpdateScale | string {
  const kernels = run.parameters.filter((p) => !p.isBias);
  const logged = kernels.flatMap((p) =>
    p.updateRatio && seriesLength(p.updateRatio) > 0 ? [p.updateRatio.columns] : [],
  );
  if (logged.length > 0) return summarize(logged, 'update_ratio');
  const rate = run.learningRate?.points;
  if (rate === undefined || rate.length === 0)
    return `needs ${UPDATE_TAGS_NEEDED}; found no update ratio and no learning rate`;
  const lr = finiteMedian(rate);
  const estimated = kernels.flatMap((p) => {
    const g = gradientNorm(p);
    const w: ScalarPoint[] | undefined =
      p.weightNorm?.points ??
      p.weights?.points.map((h) => ({
        step: h.step,
        wallTime: h.wallTime,
        value: histogramNorm(h),
      }));
    if (g === undefined || w === undefined || w.length === 0) return [];
    const paired = atCommonSteps(g.columns, w);
    // Weights may be logged less often than gradients: fall back to the median weight norm.
    const {
      steps,
      a: gradients,
      b: weights,
    } = paired.steps.length > 0
      ? paired
      : {
          steps: g.columns.steps,
          a: g.columns.values,
          b: new Float64Array(g.columns.steps.length).fill(finiteMedian(w)),
        };
    const points: ScalarPoint[] = [];
    for (let i = 0; i < steps.length; i++) {
      if (Number.isFinite(gradients[i]) && weights[i] > 0)
        points.push({ step: steps[i], wallTime: 0, value: (lr * gradients[i]) / weights[i] });
    }
    return points.length > 0 ? [pointColumns(points)] : [];
  });
  if (estimated.length === 0)
    return `needs ${UPDATE_TAGS_NEEDED}; found a learning rate but no gradient and weight norms of one parameter`;
  return summarize(estimated, 'learning rate × ‖g‖/‖W‖');
}

function summarize(series: ScalarColumns[], source: UpdateScale['source']): UpdateScale | string {
  const medians = series.map((s) => finiteMedian(s)).filter(Number.isFinite);
  if (medians.length === 0) return 'no finite update ratio';
  // Series are in step order: their ends bound the steps.
  const steps = series.map((s) => s.steps).filter((s) => s.length > 0);
  const firsts = steps.map((s) => s[0]);
  const lasts = steps.map((s) => s[s.length - 1]);
  return {
    value: median(medians),
    source,
    parameters: medians.length,
    steps: maxOf(series.map((s) => s.steps.length)),
    firstStep: minOf(firsts),
    lastStep: maxOf(lasts),
  };
}

/**
 * Said of a scale estimated from the learning rate: it is SGD's step. Adam's moves each weight
 * by about the learning rate whatever the gradient's size, so on the held-out PyTorch runs
 * (bench/pytorch_zoo.py) the estimate missed all 3 too-high Adam rates and called the rate of
 * 3 overfitting Adam runs too low; their logged update ratios gave neither error.
 */
const ESTIMATED =
  '; estimated as learning rate × ‖g‖/‖W‖, the step of plain SGD: with Adam or RMSprop log update_ratio/<param> for the measured step';

/** The update ratio ‖ΔW‖/‖W‖ a healthy run usually shows (DeepDiagnosis, ICSE 2022). */
export const HEALTHY_UPDATE_RATIO = 1e-3;

/**
 * The threshold both learning-rate checks share: a median over fewer updates is no scale of
 * the run. The first updates are not typical of it: SGD's first step meets the initial
 * gradient, Adam's moves every weight by about the learning rate whatever its gradient; and a
 * one-step demonstration (the rnn experiment's) is no training run at all.
 */
export const MIN_UPDATE_STEPS = {
  value: 5,
  anchor: 'gradscope',
  meaning: 'steps with update ratios needed',
};

/**
 * The learning-rate verdict shared by `learning_rate_too_high` and `_too_low`: a warning when
 * the run's median update ratio lies beyond `limits.ratio` on the rule's side of 1e-3.
 */
export function checkUpdateScale(
  rule: Rule,
  run: RunData,
  limits: Readonly<Record<string, number>>,
  side: 'high' | 'low',
): RuleOutcome {
  const scale = updateScale(run);
  if (typeof scale === 'string') return { skipped: scale };
  if (scale.steps < limits.minSteps) {
    return {
      skipped: `needs ${scale.source} at ${limits.minSteps} steps or more; found ${scale.steps}`,
    };
  }
  const beyond = side === 'high' ? scale.value > limits.ratio : scale.value < limits.ratio;
  if (!beyond) return { verdicts: [] };
  const factor = show(
    side === 'high' ? scale.value / HEALTHY_UPDATE_RATIO : HEALTHY_UPDATE_RATIO / scale.value,
  );
  const change = side === 'high' ? 'lower' : 'raise';
  return {
    verdicts: [
      verdictOf(rule, run, {
        severity: 'warning',
        layer: null,
        firstStep: scale.firstStep,
        lastStep: scale.lastStep,
        evidence: {
          medianUpdateRatio: round(scale.value),
          threshold: limits.ratio,
          healthyScale: HEALTHY_UPDATE_RATIO,
          source: scale.source,
          parameters: scale.parameters,
        },
        message:
          `updates change the weights by ${side === 'low' ? 'only ' : ''}${show(scale.value)} of their norm per step (median over ${scale.parameters} parameters; about 1e-3 is usual)` +
          (scale.source === 'update_ratio' ? '' : ESTIMATED),
        remedy: {
          gradscope: `${change} the learning rate about ${factor}× (e.g. --learning-rate 1e-3)`,
          general: `${change} the learning rate about ${factor}×`,
        },
      }),
    ],
  };
}
