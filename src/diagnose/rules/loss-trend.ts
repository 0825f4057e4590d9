/** The training loss's start and end, shared by the loss rules. */
import { finitePoints } from '../column-passes.js';
import { LOSS_TAGS, oncePerRun, type RunData } from '../run-data.js';
import { mean, spanLength } from '../series.js';

/** Share of the loss points averaged for "early" and "late". */
export const WINDOW = 0.1;

export interface LossTrend {
  tag: string;
  /** The steps and values of the finite points, in order (columns: no object per point). */
  steps: Float64Array;
  values: Float64Array;
  /** Mean of the first and last 10% of the points (at least one each). */
  early: number;
  late: number;
}

/** The run's loss trend, or why there is none (for `skipped`). */
export function lossTrend(run: RunData, minPoints: number): LossTrend | string {
  if (run.loss === undefined) {
    return `needs a training-loss scalar (${LOSS_TAGS.join(', ')}); found none`;
  }
  const trend = finiteTrend(run)!;
  if (trend.values.length < minPoints) {
    return `needs at least ${minPoints} finite points of ${run.loss.tag}; found ${trend.values.length}`;
  }
  return trend;
}

/** The trend of the loss's finite points, whatever their number: the three loss rules read it. */
const finiteTrend = oncePerRun((run): LossTrend | undefined => {
  if (run.loss === undefined) return undefined;
  const { steps: allSteps, values: allValues } = run.loss.columns;
  const { steps, values } = finitePoints(allSteps, allValues);
  const count = values.length;
  const span = spanLength(count, WINDOW);
  const early = mean(values.subarray(0, span));
  const late = mean(values.subarray(count - span));
  return { tag: run.loss.tag, steps, values, early, late };
});
