/**
 * Trains one zoo run with gradscope's probes into a record sink, plus `val_loss` after each
 * epoch at the step reached (the PyTorch-style layout run-data.ts reads). A recurrent run also
 * records its gradient through time (ThroughTimeProbe) every THROUGH_TIME_EVERY steps.
 */
import { Dense } from '../../engine/layers/dense.js';
import { GRU } from '../../engine/layers/gru.js';
import { LSTM } from '../../engine/layers/lstm.js';
import type { Recurrent } from '../../engine/layers/recurrent.js';
import { SimpleRNN } from '../../engine/layers/simple-rnn.js';
import { ThroughTimeProbe } from '../../probe/recorders/through-time.js';
import { getOptimizer } from '../../engine/optimizers/index.js';
import { Sequential } from '../../engine/sequential.js';
import { GradientProbes, type GradientProbesArgs } from '../../probe/gradient-probes.js';
import type { RecordSink } from '../../probe/sink.js';
import type { Callback } from '../../engine/callbacks.js';
import { CLASSES, FEATURES, zooDataset, zooSequenceDataset } from './zoo-data.js';
import type { ZooRecurrent, ZooSpec } from './specs.js';

export const DEFAULT_ZOO_SAMPLES = 512;
const VALIDATION_SAMPLES = 256;
const BATCH_SIZE = 32;
/** Training steps between two through-time profiles of a recurrent run. */
export const THROUGH_TIME_EVERY = 25;

function recurrentLayer(args: ZooRecurrent): Recurrent {
  const common = {
    units: args.units,
    inputShape: [args.timesteps, FEATURES],
    ...(args.recurrentInitializer ? { recurrentInitializer: args.recurrentInitializer } : {}),
  };
  if (args.cell === 'lstm') return new LSTM(common);
  if (args.cell === 'gru') return new GRU(common);
  return new SimpleRNN({ ...common, activation: args.activation ?? 'tanh' });
}

/**
 * Trains `spec`, recording into `sink`; `callbacks` run after the probes. `probeArgs` change the
 * probes' defaults here (activations every step, histograms every 20). Defaults to none.
 */
export function trainZooRun(
  spec: ZooSpec,
  sink: RecordSink,
  callbacks: Callback[] = [],
  probeArgs: Omit<GradientProbesArgs, 'sink'> = {},
): void {
  const model = new Sequential({ seed: spec.seed, name: spec.name });
  if (spec.recurrent) model.add(recurrentLayer(spec.recurrent));
  spec.hidden.forEach((units, i) => {
    model.add(
      new Dense({
        units,
        activation: spec.activation,
        ...(i === 0 && !spec.recurrent ? { inputShape: [FEATURES] } : {}),
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
  const samples = spec.samples ?? DEFAULT_ZOO_SAMPLES;
  const { recurrent } = spec;
  const train = recurrent
    ? zooSequenceDataset(samples, spec.seed, recurrent.timesteps)
    : zooDataset(samples, spec.seed, spec.labelNoise ?? 0);
  const validation = recurrent
    ? zooSequenceDataset(VALIDATION_SAMPLES, spec.seed + 10000, recurrent.timesteps)
    : zooDataset(VALIDATION_SAMPLES, spec.seed + 10000);
  const probes: Callback[] = [
    new GradientProbes({ sink, every: { activations: 1, histograms: 20 }, ...probeArgs }),
    ...(recurrent ? [new ThroughTimeProbe({ sink, at: THROUGH_TIME_EVERY })] : []),
  ];
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
    callbacks: [...probes, validationLoss, ...callbacks],
  });
}
