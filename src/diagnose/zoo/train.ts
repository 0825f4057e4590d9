/**
 * Trains one zoo run with gradscope's probes into a record sink, plus `val_loss` after each
 * epoch at the step reached (the PyTorch-style layout run-data.ts reads).
 */
import { Dense } from '../../engine/layers/dense.js';
import { getOptimizer } from '../../engine/optimizers/index.js';
import { Sequential } from '../../engine/sequential.js';
import { GradientProbes } from '../../probe/gradient-probes.js';
import type { RecordSink } from '../../probe/sink.js';
import type { Callback } from '../../engine/callbacks.js';
import { CLASSES, FEATURES, zooDataset } from './zoo-data.js';
import type { ZooSpec } from './specs.js';

export const DEFAULT_ZOO_SAMPLES = 512;
const VALIDATION_SAMPLES = 256;
const BATCH_SIZE = 32;

/** Trains `spec`, recording into `sink`; `callbacks` run after the probes. */
export function trainZooRun(spec: ZooSpec, sink: RecordSink, callbacks: Callback[] = []): void {
  const model = new Sequential({ seed: spec.seed, name: spec.name });
  spec.hidden.forEach((units, i) => {
    model.add(
      new Dense({
        units,
        activation: spec.activation,
        ...(i === 0 ? { inputShape: [FEATURES] } : {}),
        ...(spec.kernelInitializer ? { kernelInitializer: spec.kernelInitializer } : {}),
        ...(spec.biasInitializer ? { biasInitializer: spec.biasInitializer } : {}),
      }),
    );
  });
  model.add(new Dense({ units: CLASSES, activation: 'softmax' }));
  model.compile({
    optimizer: getOptimizer(spec.optimizer, { learningRate: spec.learningRate }),
    loss: 'sparse_categorical_crossentropy',
  });
  const train = zooDataset(spec.samples ?? DEFAULT_ZOO_SAMPLES, spec.seed, spec.labelNoise ?? 0);
  const validation = zooDataset(VALIDATION_SAMPLES, spec.seed + 10000);
  const probes = new GradientProbes({ sink, every: { activations: 1, histograms: 20 } });
  let steps = 0;
  const validationLoss: Callback = {
    onBatchEnd: () => void steps++,
    onEpochEnd: (_epoch, logs) => {
      if (logs.val_loss !== undefined) sink.scalar('val_loss', logs.val_loss, steps);
    },
  };
  model.fit(train, {
    epochs: spec.epochs,
    batchSize: BATCH_SIZE,
    validationData: validation,
    callbacks: [probes, validationLoss, ...callbacks],
  });
}
