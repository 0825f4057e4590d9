/**
 * The adding problem (Hochreiter & Schmidhuber 1997, §5 experiment 4; in the form of Le, Jaitly
 * & Hinton 2015, §4.1). Each sample is T pairs (value, marker): values drawn from U[0, 1],
 * markers 0 except two 1s, the first at a uniform position in the first half of the sequence
 * and the second in the second half, so the two marked values lie far apart. The target is the
 * sum of the two marked values; a model that always predicts the mean scores Var(U₁ + U₂) =
 * 2/12 ≈ 0.167 in MSE, which `baselineMse` measures on the set itself.
 */
import { arrayDataset } from '../../engine/dataset.js';
import type { Dataset } from '../../engine/dataset.js';
import { checkPositiveInteger, ValueError } from '../../engine/errors.js';
import { RandomState } from '../../engine/random.js';
import { meanAndStd } from '../../probe/activation-stats.js';

/** Features per time step: the value and the marker. */
export const ADDING_FEATURES = 2;

export interface AddingSet {
  dataset: Dataset;
  /** (count, T, 2), sample-major. */
  x: Float32Array;
  /** The targets, one per sample. */
  y: Float32Array;
}

/** `count` samples of length `timesteps` from a generator seeded with `seed`. */
export function addingProblem(count: number, timesteps: number, seed: number): AddingSet {
  checkPositiveInteger('addingProblem', 'count', count);
  checkPositiveInteger('addingProblem', 'timesteps', timesteps);
  if (timesteps < 2) {
    throw new ValueError(
      `addingProblem: timesteps must be at least 2 (one marker per half). Received: timesteps=${timesteps}`,
    );
  }
  const rng = new RandomState(seed);
  const half = Math.floor(timesteps / 2);
  const x = new Float32Array(count * timesteps * ADDING_FEATURES);
  const y = new Float32Array(count);
  for (let s = 0; s < count; s++) {
    const row = s * timesteps;
    for (let t = 0; t < timesteps; t++) x[(row + t) * ADDING_FEATURES] = rng.randomSample();
    const first = rng.randint(0, half),
      second = rng.randint(half, timesteps);
    for (const t of [first, second]) x[(row + t) * ADDING_FEATURES + 1] = 1;
    y[s] = x[(row + first) * ADDING_FEATURES] + x[(row + second) * ADDING_FEATURES];
  }
  return { dataset: arrayDataset(x, [timesteps, ADDING_FEATURES], y), x, y };
}

/** MSE of always predicting the mean of `y`: its population variance, the score to beat. */
export function baselineMse(y: ArrayLike<number>): number {
  return meanAndStd(y).std ** 2;
}
