/**
 * `poor_initialization`: the network's state before (or at) its first update.
 *
 * - minVariance 1e-5, maxVariance 10: the variance of a weight parameter's values in its
 *   first histogram outside [1e-5, 10] (DeepDiagnosis, ICSE 2022: weight variance outside
 *   [1e-5, 10] → initialization);
 * - activationRatio 1e3: at the first step, the largest over the smallest activation variance
 *   across the hidden layers (every probed layer but the last, whose output is the model's),
 *   above it. SageMaker Debugger PoorWeightInitialization compares variances across layers,
 *   with a default of 10; gradscope zoo: six Glorot-initialised ReLU layers, a healthy Keras
 *   default, already give 58 (each layer halves the variance), over-scaled initializations 1e4
 *   and more.
 */
import type { Rule, RuleOutcome, Verdict } from '../rule.js';
import { verdictOf } from '../rule.js';
import { seriesLength, type LayerData, type ParameterData, type RunData } from '../run-data.js';
import { histogramMoments, round, show } from '../series.js';

const REMEDY = {
  gradscope:
    'start from Keras-default Glorot/He initial weights (gradscope’s defaults); with sigmoid or tanh prefer --activation relu',
  general:
    'use Glorot (tanh/sigmoid) or He (ReLU) initialization scaled by fan-in, and normalized inputs',
};

/**
 * A normalization layer's scale and shift (Keras gamma/beta, the moving statistics) start
 * constant (ones and zeros) by design: a variance of 0 there is no initialization fault.
 */
const NORMALIZATION_PARAMETER = /(^|[/.])(gamma|beta|moving_mean|moving_variance)(_\d+)?(:\d+)?$/;

/**
 * Outcomes by the parameter list they were found on, with what else they depend on. Its inputs
 * are first records (each weight parameter's first histogram, each layer's first activation
 * std), which never change once there: so while a live run's tags stay, and with them its
 * RunData's parameter and layer lists (live-run.ts `data`), the outcome of its first evaluation
 * holds for every later one, which then skips the rule (measured: ~0.2 ms an evaluation on the
 * reference model, its weights' histogram moments and verdicts). Any other RunData has lists of
 * its own.
 */
const keptOutcomes = new WeakMap<
  readonly ParameterData[],
  {
    layers: readonly LayerData[];
    limits: Readonly<Record<string, number>>;
    origin: RunData['origin'];
    acceptedFlags: RunData['acceptedFlags'];
    outcome: RuleOutcome;
  }
>();

export const poorInitialization: Rule = {
  name: 'poor_initialization',
  summary: 'initial weight or activation scales far from the usual range',
  thresholds: {
    minVariance: {
      value: 1e-5,
      anchor: 'DeepDiagnosis (ICSE 2022)',
      meaning: 'initial weight variance below this',
    },
    maxVariance: {
      value: 10,
      anchor: 'DeepDiagnosis (ICSE 2022)',
      meaning: 'initial weight variance above this',
    },
    activationRatio: {
      value: 1e3,
      anchor: 'SageMaker Debugger PoorWeightInitialization; value: gradscope zoo',
      meaning: 'max/min activation variance across hidden layers at the first step, above this',
    },
  },
  check(run, limits) {
    const kept = keptOutcomes.get(run.parameters);
    if (
      kept !== undefined &&
      kept.layers === run.layers &&
      kept.limits === limits &&
      kept.origin === run.origin &&
      kept.acceptedFlags === run.acceptedFlags
    ) {
      return kept.outcome;
    }
    const outcome = firstStepOutcome(this, run, limits);
    keptOutcomes.set(run.parameters, {
      layers: run.layers,
      limits,
      origin: run.origin,
      acceptedFlags: run.acceptedFlags,
      outcome,
    });
    return outcome;
  },
};

/** The rule's outcome on `run`, from its first records. */
function firstStepOutcome(
  rule: Rule,
  run: RunData,
  limits: Readonly<Record<string, number>>,
): RuleOutcome {
  const verdicts: Verdict[] = [];
  const weights = run.parameters.filter(
    (p) =>
      !p.isBias &&
      !NORMALIZATION_PARAMETER.test(p.name) &&
      p.weights !== undefined &&
      p.weights.points.length > 0,
  );
  for (const p of weights) {
    const first = p.weights!.points[0];
    const { variance } = histogramMoments(first);
    if (!(variance < limits.minVariance || variance > limits.maxVariance)) continue;
    verdicts.push(
      verdictOf(rule, run, {
        severity: 'warning',
        layer: p.name,
        firstStep: first.step,
        lastStep: first.step,
        evidence: {
          weightVariance: round(variance),
          minVariance: limits.minVariance,
          maxVariance: limits.maxVariance,
          tag: p.weights!.tag,
        },
        message: `${p.name} starts with weight variance ${show(variance)}, outside [${show(limits.minVariance)}, ${show(limits.maxVariance)}]`,
        remedy: REMEDY,
      }),
    );
  }
  const hidden = run.layers.filter((l) => seriesLength(l.activationStd) > 0).slice(0, -1);
  if (hidden.length >= 2) {
    const firstStep = Math.min(...hidden.map((l) => l.activationStd!.columns.steps[0]));
    const variances = hidden.flatMap((l) => {
      const { steps, values } = l.activationStd!.columns;
      return steps[0] === firstStep && Number.isFinite(values[0])
        ? [{ layer: l.name, variance: values[0] ** 2 }]
        : [];
    });
    const largest = variances.reduce((a, b) => (b.variance > a.variance ? b : a), variances[0]);
    const smallest = variances.reduce((a, b) => (b.variance < a.variance ? b : a), variances[0]);
    const ratio = largest.variance / smallest.variance;
    if (variances.length >= 2 && ratio > limits.activationRatio) {
      verdicts.push(
        verdictOf(rule, run, {
          severity: 'warning',
          layer: smallest.layer,
          firstStep,
          lastStep: firstStep,
          evidence: {
            activationVarianceRatio: round(ratio),
            threshold: limits.activationRatio,
            largest: largest.layer,
            smallest: smallest.layer,
          },
          message: `at step ${firstStep} the activation variance of ${largest.layer} is ${show(ratio)}× that of ${smallest.layer}`,
          remedy: REMEDY,
        }),
      );
    }
  } else if (weights.length === 0) {
    return {
      skipped:
        'needs weights/<param> histograms or activation_std/<layer> scalars of two hidden layers at the first step; found neither',
    };
  }
  return { verdicts };
}
