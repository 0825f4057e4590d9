/**
 * One Fashion-MNIST training run of the article's model, with per-epoch probes, written as a
 * Keras-style TensorBoard run: `<logDir>/train` (probes, epoch_loss, epoch_accuracy) and
 * `<logDir>/validation` (epoch_loss, epoch_accuracy). Runs inside a worker thread, one per model.
 */
import { join } from 'node:path';
import type { FashionMnist } from '../../data/fashion-mnist.js';
import { imageDataset } from '../../data/image-dataset.js';
import type { ActivationName } from '../../engine/activations.js';
import type { Callback, EpochLogs } from '../../engine/callbacks.js';
import type { ClippingArgs } from '../../engine/clipping.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { TerminateOnNonFinite } from '../../engine/terminate-on-nonfinite.js';
import type { Divergence } from '../../engine/terminate-on-nonfinite.js';
import { RunWriter } from '../../log/run-writer.js';
import { GradientProbes } from '../../probe/index.js';
import { buildFashionModel } from './model.js';
import { diagnosedProbes, type LiveDiagnosisArgs } from '../live-diagnosis.js';

/** The arguments cross to a worker thread: its live Diagnoser's lines come back as messages. */
export interface FashionTrainArgs extends Pick<LiveDiagnosisArgs, 'command'> {
  /** Activation of every hidden Dense layer. Required. */
  activation: ActivationName;
  /** Required (the command's default is 10). */
  epochs: number;
  /** Required (the command's default is 32). */
  batchSize: number;
  /** Required (the command's default is 'adam'). */
  optimizer: OptimizerName;
  /** Defaults to the optimizer's Keras default. */
  learningRate?: number;
  /** Defaults to no clipping. */
  clipping?: ClippingArgs;
  /** Seeds the weights, shuffling and dropout. Required. */
  seed: number;
  /** The run directory: train/ and validation/ event files go below it. Required. */
  logDir: string;
}

export type FashionProgress =
  | { type: 'batch'; done: number; total: number; loss: number }
  | { type: 'epoch'; epoch: number; logs: EpochLogs }
  | { type: 'verdict'; line: string };

export interface FashionTrainResult {
  /** Where training went non-finite and stopped; null when it stayed finite. */
  divergence: Divergence | null;
}

/** Per-epoch metric names and the TensorBoard tags Keras writes them under. */
export const EPOCH_TAGS = { loss: 'epoch_loss', accuracy: 'epoch_accuracy' } as const;

/** How often (in batches) progress is reported to the parent thread. */
const PROGRESS_EVERY = 50;

export function trainFashion(
  data: FashionMnist,
  args: FashionTrainArgs,
  report: (progress: FashionProgress) => void,
): FashionTrainResult {
  const model = buildFashionModel(args);
  const stopper = new TerminateOnNonFinite();
  const train = imageDataset(data.train);
  const validation = imageDataset(data.test);
  const trainWriter = new RunWriter(join(args.logDir, 'train'), { command: 'fashion' });
  let validationWriter: RunWriter;
  try {
    validationWriter = new RunWriter(join(args.logDir, 'validation'), { command: 'fashion' });
  } catch (error) {
    trainWriter.close();
    throw error;
  }
  const every = {
    loss: 50,
    norms: 'epoch',
    updates: 'epoch',
    signals: 'epoch',
    activations: 'epoch',
    histograms: 'epoch',
    elements: 'never',
  } as const;
  const probes = diagnosedProbes({
    live: { command: args.command, onVerdict: (line) => report({ type: 'verdict', line }) },
    name: `fashion/${args.activation}`,
    sink: trainWriter,
    probes: (sink) => [new GradientProbes({ sink, every })],
  });
  const total = args.epochs * Math.ceil(train.count / args.batchSize);
  const epochLogger: Callback = {
    onBatchEnd: (context) => {
      const done = context.step + 1;
      if (done % PROGRESS_EVERY === 0 || done === total)
        report({ type: 'batch', done, total, loss: context.loss });
    },
    onEpochEnd: (epoch, logs) => {
      trainWriter.scalar(EPOCH_TAGS.loss, logs.loss, epoch);
      if (logs.accuracy !== undefined)
        trainWriter.scalar(EPOCH_TAGS.accuracy, logs.accuracy, epoch);
      if (logs.val_loss !== undefined)
        validationWriter.scalar(EPOCH_TAGS.loss, logs.val_loss, epoch);
      if (logs.val_accuracy !== undefined)
        validationWriter.scalar(EPOCH_TAGS.accuracy, logs.val_accuracy, epoch);
      report({ type: 'epoch', epoch, logs });
    },
  };
  try {
    model.fit(train, {
      epochs: args.epochs,
      batchSize: args.batchSize,
      validationData: validation,
      callbacks: [stopper, ...probes, epochLogger],
    });
    return { divergence: stopper.divergence };
  } finally {
    trainWriter.close();
    validationWriter.close();
  }
}
