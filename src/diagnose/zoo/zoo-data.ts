/**
 * The zoo's task: 3 classes of 16 Gaussian features, labelled by a fixed random linear teacher
 * (argmax of x·T), so a small net learns it in a few epochs. Seeded through the engine's
 * numpy-compatible RandomState: the same seed gives the same data everywhere.
 */
import { arrayDataset, type Dataset } from '../../engine/dataset.js';
import { RandomState } from '../../engine/random.js';

export const FEATURES = 16;
export const CLASSES = 3;
/** The teacher is the same for every run: only the samples differ by seed. */
const TEACHER_SEED = 2026;

function teacher(): Float64Array {
  return new RandomState(TEACHER_SEED).randn(FEATURES * CLASSES);
}

/** `count` samples; `labelNoise` of them get a random label instead of the teacher's. */
export function zooDataset(count: number, seed: number, labelNoise = 0): Dataset {
  return labelled(count, seed, 1, labelNoise);
}

/**
 * The same task as sequences of `timesteps` × FEATURES: the teacher labels the sum of the first
 * and the last step's features, the steps between are Gaussian noise, so a recurrent net must
 * carry the first step to the end: its gradient has to reach h_1 for it to learn.
 */
export function zooSequenceDataset(count: number, seed: number, timesteps: number): Dataset {
  return labelled(count, seed, timesteps, 0);
}

function labelled(count: number, seed: number, timesteps: number, labelNoise: number): Dataset {
  const rng = new RandomState(seed);
  const sample = timesteps * FEATURES;
  const x = rng.randn(count * sample);
  const t = teacher();
  const y = new Float64Array(count);
  const features = new Float64Array(FEATURES);
  for (let i = 0; i < count; i++) {
    const first = i * sample;
    const last = first + (timesteps - 1) * FEATURES;
    for (let f = 0; f < FEATURES; f++) {
      features[f] = timesteps === 1 ? x[first + f] : x[first + f] + x[last + f];
    }
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let score = 0;
      for (let f = 0; f < FEATURES; f++) score += features[f] * t[f * CLASSES + c];
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    y[i] = rng.randomSample() < labelNoise ? rng.randint(0, CLASSES) : best;
  }
  return arrayDataset(x, timesteps === 1 ? [FEATURES] : [timesteps, FEATURES], y, 1);
}
