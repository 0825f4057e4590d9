/** The training loss's start and end, shared by the loss rules. */
import type { ScalarPoint } from '../../log/points.js';
import { LOSS_TAGS, oncePerRun, type RunData } from '../run-data.js';
import { head, mean, tail } from '../series.js';

/** Share of the loss points averaged for "early" and "late". */
export const WINDOW = 0.1;

export interface LossTrend {
  tag: string;
  /** Finite points, in order. */
  points: ScalarPoint[];
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
  if (trend.points.length < minPoints) {
    return `needs at least ${minPoints} finite points of ${run.loss.tag}; found ${trend.points.length}`;
  }
  return trend;
}

/** The trend of the loss's finite points, whatever their number: the three loss rules read it. */
const finiteTrend = oncePerRun((run): LossTrend | undefined => {
  if (run.loss === undefined) return undefined;
  const { steps, wallTimes, values } = run.loss.columns;
  const points: ScalarPoint[] = [];
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]))
      points.push({ step: steps[i], wallTime: wallTimes[i], value: values[i] });
  }
  const early = mean(head(points, WINDOW).map((p) => p.value));
  const late = mean(tail(points, WINDOW).map((p) => p.value));
  return { tag: run.loss.tag, points, early, late };
});
