/**
 * `unchanged_weights`: parameters that training does not move.
 *
 * - updateRatio 1e-8: ‖ΔW‖/‖W‖ at every step below it (SageMaker Debugger WeightUpdateRatio:
 *   below 1e-8; its UnchangedTensor; DeepDiagnosis "unchanged tensor").
 *
 * From `update_ratio/<param>` (gradscope), or else from `weights/<param>` histograms: the last
 * one identical to the first, bucket for bucket, at a later step. A warning per parameter
 * (frozen layers can be meant); an error when no parameter changes.
 */
import type { Rule, Verdict } from '../rule.js';
import { verdictOf } from '../rule.js';
import { finiteValues, maxOf, round, show } from '../series.js';

const REMEDY = {
  gradscope: 'check that the layer is trainable; raise --learning-rate (e.g. 1e-3)',
  general:
    'check that the parameter requires grad / is trainable and is in the optimizer’s parameter list, and that the learning rate is not 0',
};

export const unchangedWeights: Rule = {
  name: 'unchanged_weights',
  summary: 'parameters that training does not move',
  thresholds: {
    updateRatio: {
      value: 1e-8,
      anchor: 'SageMaker Debugger WeightUpdateRatio',
      meaning: 'largest ‖ΔW‖/‖W‖ below this',
    },
  },
  check(run, limits) {
    const verdicts: Verdict[] = [];
    let judged = 0;
    for (const p of run.parameters) {
      const ratios = p.updateRatio ? finiteValues(p.updateRatio.columns) : [];
      if (p.updateRatio && ratios.length > 0) {
        judged++;
        const largest = maxOf(ratios);
        if (largest < limits.updateRatio) {
          const { steps } = p.updateRatio.columns;
          verdicts.push(
            verdictOf(this, run, {
              severity: 'warning',
              layer: p.name,
              firstStep: steps[0],
              lastStep: steps[steps.length - 1],
              evidence: {
                maxUpdateRatio: round(largest),
                threshold: limits.updateRatio,
                tag: p.updateRatio.tag,
              },
              message: `${p.name} never moved by more than ${show(largest)} of its norm per step`,
              remedy: REMEDY,
            }),
          );
        }
        continue;
      }
      const histograms = p.weights?.points ?? [];
      if (histograms.length < 2 || histograms[histograms.length - 1].step === histograms[0].step)
        continue;
      judged++;
      const first = histograms[0];
      const last = histograms[histograms.length - 1];
      if (JSON.stringify(first.buckets) === JSON.stringify(last.buckets)) {
        verdicts.push(
          verdictOf(this, run, {
            severity: 'warning',
            layer: p.name,
            firstStep: first.step,
            lastStep: last.step,
            evidence: { tag: p.weights!.tag, histograms: histograms.length },
            message: `${p.name}'s weight histogram at step ${last.step} is identical to the one at step ${first.step}`,
            remedy: REMEDY,
          }),
        );
      }
    }
    if (judged === 0) {
      return {
        skipped:
          'needs update_ratio/<param> scalars or weights/<param> histograms at two or more steps; found neither',
      };
    }
    if (verdicts.length === judged && judged > 0) {
      for (const verdict of verdicts) verdict.severity = 'error';
    }
    return { verdicts };
  },
};
