/** The training loss's start and end, shared by the loss rules. */
import type { ScalarPoint } from '../../log/points.js';
import { LOSS_TAGS, type RunData } from '../run-data.js';
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
  const points = run.loss.points.filter((p) => Number.isFinite(p.value));
  if (points.length < minPoints) {
    return `needs at least ${minPoints} finite points of ${run.loss.tag}; found ${points.length}`;
  }
  const early = mean(head(points, WINDOW).map((p) => p.value));
  const late = mean(tail(points, WINDOW).map((p) => p.value));
  return { tag: run.loss.tag, points, early, late };
}
