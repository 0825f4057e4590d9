/**
 * The model sizes of the detached-view NaN (issue 7): Dense(relu) → Dropout or
 * BatchNormalization → Dense(softmax), Adam, a few steps per size. Shared by heap-sweep.test.ts,
 * which runs it in this process and in a child with the opposite heap stress mode.
 */
import { createHash } from 'node:crypto';
import { arrayDataset } from '../../src/engine/dataset.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Dropout } from '../../src/engine/layers/dropout.js';
import type { Layer } from '../../src/engine/layers/layer.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';

/** The middle layers: each one takes a view and then allocates. */
export const MIDDLES = ['dropout', 'batchnorm'] as const;
/** 128 × 2048 gave NaN on main (issue 7); a few steps each keep the sweep to seconds. */
export const BATCH_SIZES = [32, 128];
export const UNITS = [128, 2048];
const FEATURES = 784;
const CLASSES = 10;
const STEPS = 2;

export interface SweepCase {
  middle: (typeof MIDDLES)[number];
  batchSize: number;
  units: number;
  /** The mean loss of each step. */
  losses: number[];
  /** SHA-256 of every variable's bytes after training, in model order. */
  weightsDigest: string;
}

function middleLayer(middle: SweepCase['middle']): Layer {
  return middle === 'dropout' ? new Dropout({ rate: 0.5 }) : new BatchNormalization();
}

function trainCase(middle: SweepCase['middle'], batchSize: number, units: number): SweepCase {
  const rng = new RandomState(batchSize + units);
  const count = batchSize * STEPS;
  const x = Float32Array.from(rng.randn(count * FEATURES));
  const y = Array.from({ length: count }, () => rng.randint(0, CLASSES));
  const model = new Sequential({
    seed: 3,
    layers: [
      new Dense({ units, activation: 'relu', inputShape: [FEATURES] }),
      middleLayer(middle),
      new Dense({ units: CLASSES, activation: 'softmax' }),
    ],
  }).compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  const losses: number[] = [];
  model.fit(arrayDataset(x, [FEATURES], y), {
    batchSize,
    callbacks: [{ onBatchEnd: (context) => losses.push(context.loss) }],
  });
  const hash = createHash('sha256');
  for (const variable of model.variables) hash.update(variable.value.data);
  return { middle, batchSize, units, losses, weightsDigest: hash.digest('hex') };
}

export function runSweep(): SweepCase[] {
  const cases: SweepCase[] = [];
  for (const middle of MIDDLES) {
    for (const batchSize of BATCH_SIZES) {
      for (const units of UNITS) cases.push(trainCase(middle, batchSize, units));
    }
  }
  return cases;
}
