/**
 * `overfitting`: validation loss rising while training loss falls.
 *
 * - patience 3: the last 3 validation losses all above the best one by more than minRise, so
 *   one noisy evaluation is no verdict (SageMaker Debugger Overfit and Keras EarlyStopping
 *   wait a number of evaluations; UMLAUT, CHI 2021: validation loss up while training loss
 *   down);
 * - minRise 0.05: relative to the best validation loss (gradscope zoo);
 * - and the training loss, averaged over the evaluations' intervals, lower at the end than at
 *   the best evaluation.
 */
import type { ScalarPoint } from '../../log/points.js';
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { VALIDATION_LOSS_TAGS } from '../run-data.js';
import { mean, round, show } from '../series.js';

/** Mean training loss over (after, upTo]; the nearest earlier point when the span is empty. */
function trainingLossAt(train: readonly ScalarPoint[], after: number, upTo: number): number {
  const span = train.filter((p) => p.step > after && p.step <= upTo && Number.isFinite(p.value));
  if (span.length > 0) return mean(span.map((p) => p.value));
  const before = train.filter((p) => p.step <= upTo && Number.isFinite(p.value));
  return before.length > 0 ? before[before.length - 1].value : NaN;
}

export const overfitting: Rule = {
  name: 'overfitting',
  summary: 'validation loss rising while training loss falls',
  thresholds: {
    patience: {
      value: 3,
      anchor: 'SageMaker Debugger Overfit; UMLAUT (CHI 2021)',
      meaning: 'evaluations above the best one in a row',
    },
    minRise: {
      value: 0.05,
      anchor: 'gradscope zoo',
      meaning: 'relative rise above the best validation loss',
    },
  },
  check(run, limits) {
    if (run.validationLoss === undefined) {
      return {
        skipped: `needs a validation-loss scalar (${VALIDATION_LOSS_TAGS.join(', ')}, or a Keras validation/ run with epoch_loss); found none`,
      };
    }
    if (run.loss === undefined)
      return { skipped: 'needs a training-loss scalar beside the validation loss; found none' };
    const validation = run.validationLoss.points.filter((p) => Number.isFinite(p.value));
    const needed = limits.patience + 2;
    if (validation.length < needed) {
      return {
        skipped: `needs at least ${needed} finite points of ${run.validationLoss.tag}; found ${validation.length}`,
      };
    }
    let best = 0;
    validation.forEach((p, i) => {
      if (p.value < validation[best].value) best = i;
    });
    const bound = validation[best].value * (1 + limits.minRise);
    const last = validation.slice(-limits.patience);
    if (validation.length - 1 - best < limits.patience || !last.every((p) => p.value > bound))
      return { verdicts: [] };
    const bestPoint = validation[best];
    const end = validation[validation.length - 1];
    const previous = (i: number): number => (i > 0 ? validation[i - 1].step : -Infinity);
    const trainAtBest = trainingLossAt(run.loss.points, previous(best), bestPoint.step);
    const trainAtEnd = trainingLossAt(run.loss.points, previous(validation.length - 1), end.step);
    if (!(trainAtEnd < trainAtBest)) return { verdicts: [] };
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'warning',
          layer: null,
          firstStep: bestPoint.step,
          lastStep: end.step,
          evidence: {
            bestValidationLoss: round(bestPoint.value),
            lastValidationLoss: round(end.value),
            trainingLossAtBest: round(trainAtBest),
            trainingLossAtEnd: round(trainAtEnd),
            patience: limits.patience,
            minRise: limits.minRise,
            tag: run.validationLoss.tag,
          },
          message: `validation loss rose from ${show(bestPoint.value)} at step ${bestPoint.step} to ${show(end.value)} at step ${end.step} while training loss fell from ${show(trainAtBest)} to ${show(trainAtEnd)}`,
          remedy: {
            gradscope: `stop near step ${bestPoint.step} (fewer --epochs), or train on more data`,
            general: `stop early at the best validation point (step ${bestPoint.step}; Keras EarlyStopping(restore_best_weights=True)), add data or augmentation, dropout or weight decay`,
          },
        }),
      ],
    };
  },
};
