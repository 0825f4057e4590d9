/**
 * The article's Titanic network, trained for a fixed number of updates with every probe on, so
 * each update's gradient norms, weight elements, relative update sizes and backprop-signal
 * norms can be compared across the three weight matrices:
 *   input (d) → Dense(d) [W0, d×d] → Dense(16) [W1] → Dense(1, sigmoid) [W2], binary cross-entropy.
 */
import type { ActivationName } from '../../engine/activations.js';
import type { Callback } from '../../engine/callbacks.js';
import type { ClippingArgs } from '../../engine/clipping.js';
import { arrayDataset } from '../../engine/dataset.js';
import { Dense } from '../../engine/layers/index.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { Sequential } from '../../engine/sequential.js';
import type { TitanicDataset } from '../../data/titanic.js';
import { DirectoryProvider } from '../../log/provider.js';
import type { RunProvider } from '../../log/provider.js';
import { RunWriter } from '../../log/run-writer.js';
import { GradientProbes } from '../../probe/gradient-probes.js';
import * as tags from '../../probe/tags.js';
import { diagnosedProbes, type LiveDiagnosisArgs } from '../live-diagnosis.js';
import { makeOptimizer } from '../training-flags.js';
import type { NormKind } from '../../probe/tags.js';

/** The article's names for the three kernels, by our layer names. */
export const TITANIC_WEIGHTS = [
  { label: 'W0', layer: 'dense_1' },
  { label: 'W1', layer: 'dense_2' },
  { label: 'W2', layer: 'dense_3' },
] as const;
export type WeightLabel = (typeof TITANIC_WEIGHTS)[number]['label'];

export interface TitanicRunArgs extends LiveDiagnosisArgs {
  /** The prepared passengers (train and validation splits). Required. */
  data: TitanicDataset;
  /** Hidden activation of W0 and W1 (W2 is always sigmoid). Required. */
  activation: ActivationName;
  /** Parameter updates to run. Required. */
  updates: number;
  /** Samples per update. Required (the command's default is 32). */
  batchSize: number;
  /** Required (the command's default is 'sgd'). */
  optimizer: OptimizerName;
  /** Defaults to the optimizer's Keras default (the command passes 0.1). */
  learningRate?: number;
  /** Defaults to no clipping. */
  clipping?: ClippingArgs;
  /** Seeds the weights and the shuffling. Required. */
  seed: number;
  /** How gradient and signal norms are recorded: √Σx² or Σx². Required. */
  normKind: NormKind;
  /** Where the run's event files go. Required. */
  logDir: string;
  /** Called after every update with the number done. */
  onUpdate?: (done: number) => void;
  /** More callbacks for `fit` (the CLI's TerminateOnNonFinite). Defaults to none. */
  callbacks?: Callback[];
}

/** Per-update series, index k − 1 for update k. */
export interface TitanicSeries {
  /** ‖∂L/∂W‖ (or Σg² with normKind 'squared') of the gradient applied in update k. */
  gradNorm: Record<WeightLabel, number[]>;
  /** W[0,0] after update k. */
  element: Record<WeightLabel, number[]>;
  /** ‖ΔW‖/‖W‖ of update k. */
  updateRatio: Record<WeightLabel, number[]>;
  /** ‖∂L/∂a‖ at each layer's output, in the batch of update k. */
  signalNorm: Record<WeightLabel, number[]>;
  /** Batch loss of update k. */
  loss: number[];
}

export interface TitanicRun {
  activation: ActivationName;
  /** How the gradient and signal norms in `series` are shown. */
  normKind: NormKind;
  series: TitanicSeries;
  /** W[0,0] before the first update. */
  initialElement: Record<WeightLabel, number>;
  validation: { loss: number; accuracy: number };
  train: { loss: number; accuracy: number };
}

export function buildTitanicModel(
  d: number,
  args: Omit<TitanicRunArgs, 'data' | 'updates' | 'logDir'>,
): Sequential {
  const model = new Sequential({
    name: `titanic_${args.activation}`,
    seed: args.seed,
    layers: [
      new Dense({ units: d, activation: args.activation, inputShape: [d] }),
      new Dense({ units: 16, activation: args.activation }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  return model.compile({ optimizer: makeOptimizer(args), loss: 'binary_crossentropy' });
}

/** The final evaluations, written into the run at the last update's step. */
export const EVALUATION_TAGS = {
  trainLoss: 'evaluation/train_loss',
  trainAccuracy: 'evaluation/train_accuracy',
  validationLoss: 'evaluation/validation_loss',
  validationAccuracy: 'evaluation/validation_accuracy',
} as const;

/**
 * Trains one model for `args.updates` updates with every probe on, then evaluates it; every
 * record (probes and evaluations) goes into the event files under `args.logDir`.
 */
export function trainTitanic(args: TitanicRunArgs): void {
  const { data } = args;
  const model = buildTitanicModel(data.d, args);
  const train = arrayDataset(data.train.x, [data.d], data.train.y);
  const validation = arrayDataset(data.validation.x, [data.d], data.validation.y);
  const writer = new RunWriter(args.logDir, { command: 'titanic' });
  const elements = TITANIC_WEIGHTS.map((w) => `${w.layer}/kernel[0,0]`);
  const probes = diagnosedProbes({
    live: args,
    name: `titanic/${args.activation}`,
    sink: writer,
    probes: (sink) => [
      new GradientProbes({ sink, elements, normKind: args.normKind, every: { histograms: 10 } }),
    ],
  });
  const progress = { onBatchEnd: () => args.onUpdate?.(model.optimizer!.iterations) };
  const epochs = Math.ceil(args.updates / Math.ceil(train.count / args.batchSize));
  try {
    model.fit(train, {
      epochs,
      batchSize: args.batchSize,
      maxSteps: args.updates,
      callbacks: [...(args.callbacks ?? []), ...probes, progress],
    });
    const evaluate = (set: typeof train, loss: string, accuracy: string) => {
      const result = model.evaluate(set, { batchSize: 256 });
      writer.scalar(loss, result.loss, args.updates);
      writer.scalar(accuracy, result.accuracy ?? NaN, args.updates);
    };
    evaluate(train, EVALUATION_TAGS.trainLoss, EVALUATION_TAGS.trainAccuracy);
    evaluate(validation, EVALUATION_TAGS.validationLoss, EVALUATION_TAGS.validationAccuracy);
  } finally {
    writer.close();
  }
}

/** Trains as `trainTitanic` does, then reads the run back from its event files. */
export async function runTitanic(args: TitanicRunArgs): Promise<TitanicRun> {
  trainTitanic(args);
  return readTitanicRun(new DirectoryProvider(args.logDir), '.', args);
}

/**
 * One Titanic run as the provider returns it: the per-update series of each kernel, W[0,0]
 * before training, and the final evaluations.
 */
export async function readTitanicRun(
  provider: RunProvider,
  run: string,
  args: Pick<TitanicRunArgs, 'activation' | 'normKind' | 'updates'>,
): Promise<TitanicRun> {
  const read = async (tag: string) => provider.readScalars(run, tag);
  // Gradient-side records sit at step k − 1 and weight-side ones at step k (see probe/tags.ts).
  const batchSide = async (tag: string) =>
    (await read(tag)).slice(0, args.updates).map((p) => p.value);
  const weightSide = async (tag: string) =>
    (await read(tag)).filter((p) => p.step >= 1).map((p) => p.value);
  const byWeight = async (pick: (layer: string) => Promise<number[]>) => {
    const entries = [];
    for (const w of TITANIC_WEIGHTS) entries.push([w.label, await pick(w.layer)]);
    return Object.fromEntries(entries) as Record<WeightLabel, number[]>;
  };
  const { normKind } = args;
  const series: TitanicSeries = {
    gradNorm: await byWeight((layer) => batchSide(tags.gradNormTag(`${layer}/kernel`, normKind))),
    element: await byWeight((layer) => weightSide(tags.elementTag(`${layer}/kernel[0,0]`))),
    updateRatio: await byWeight((layer) => weightSide(tags.updateRatioTag(`${layer}/kernel`))),
    signalNorm: await byWeight((layer) => batchSide(tags.signalNormTag(layer, normKind))),
    loss: await batchSide(tags.LOSS_TAG),
  };
  const initial: [WeightLabel, number][] = [];
  for (const w of TITANIC_WEIGHTS) {
    const [first] = await read(tags.elementTag(`${w.layer}/kernel[0,0]`));
    initial.push([w.label, first.value]);
  }
  const last = async (tag: string) => (await read(tag)).at(-1)?.value ?? NaN;
  return {
    activation: args.activation,
    normKind,
    series,
    initialElement: Object.fromEntries(initial) as Record<WeightLabel, number>,
    validation: {
      loss: await last(EVALUATION_TAGS.validationLoss),
      accuracy: await last(EVALUATION_TAGS.validationAccuracy),
    },
    train: {
      loss: await last(EVALUATION_TAGS.trainLoss),
      accuracy: await last(EVALUATION_TAGS.trainAccuracy),
    },
  };
}
