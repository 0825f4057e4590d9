/**
 * The article's Titanic network, trained for a fixed number of updates with every probe on, so
 * each update's gradient norms, weight elements, relative update sizes and backprop-signal
 * norms can be compared across the three weight matrices:
 *   input (d) → Dense(d) [W0, d×d] → Dense(16) [W1] → Dense(1, sigmoid) [W2], binary cross-entropy.
 */
import type { ActivationName } from '../../engine/activations.js';
import type { ClippingArgs } from '../../engine/clipping.js';
import { makeClipper } from '../../engine/clipping.js';
import { arrayDataset } from '../../engine/dataset.js';
import { Dense } from '../../engine/layers/index.js';
import { getOptimizer } from '../../engine/optimizers/index.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { Sequential } from '../../engine/sequential.js';
import type { TitanicDataset } from '../../data/titanic.js';
import { RunWriter } from '../../log/run-writer.js';
import { GradientProbes, MemorySink, TeeSink } from '../../probe/index.js';
import * as tags from '../../probe/tags.js';
import type { NormKind } from '../../probe/tags.js';

/** The article's names for the three kernels, by our layer names. */
export const TITANIC_WEIGHTS = [
  { label: 'W0', layer: 'dense_1' },
  { label: 'W1', layer: 'dense_2' },
  { label: 'W2', layer: 'dense_3' },
] as const;
export type WeightLabel = (typeof TITANIC_WEIGHTS)[number]['label'];

export interface TitanicRunArgs {
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
  /** Where the run's event files go. */
  logDir: string;
  /** Called after every update with the number done. */
  onUpdate?: (done: number) => void;
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
  const clipper = args.clipping ? makeClipper(args.clipping) : null;
  const optimizer = getOptimizer(args.optimizer, {
    learningRate: args.learningRate,
    clipper,
  });
  return model.compile({ optimizer, loss: 'binary_crossentropy' });
}

export function runTitanic(args: TitanicRunArgs): TitanicRun {
  const { data } = args;
  const model = buildTitanicModel(data.d, args);
  const train = arrayDataset(data.train.x, [data.d], data.train.y);
  const validation = arrayDataset(data.validation.x, [data.d], data.validation.y);
  const memory = new MemorySink();
  const writer = new RunWriter(args.logDir);
  const elements = TITANIC_WEIGHTS.map((w) => `${w.layer}/kernel[0,0]`);
  const probes = new GradientProbes({
    sink: new TeeSink([memory, writer]),
    elements,
    normKind: args.normKind,
    every: { histograms: 10 },
  });
  const progress = { onBatchEnd: () => args.onUpdate?.(model.optimizer!.iterations) };
  const epochs = Math.ceil(args.updates / Math.ceil(train.count / args.batchSize));
  try {
    model.fit(train, {
      epochs,
      batchSize: args.batchSize,
      maxSteps: args.updates,
      callbacks: [probes, progress],
    });
  } finally {
    writer.close();
  }
  // Gradient-side records sit at step k − 1 and weight-side ones at step k (see probe/tags.ts).
  const batchSide = (tag: string) =>
    memory
      .series(tag)
      .slice(0, args.updates)
      .map((p) => p.value);
  const weightSide = (tag: string) =>
    memory
      .series(tag)
      .filter((p) => p.step >= 1)
      .map((p) => p.value);
  const byWeight = (pick: (layer: string) => number[]) =>
    Object.fromEntries(TITANIC_WEIGHTS.map((w) => [w.label, pick(w.layer)])) as Record<
      WeightLabel,
      number[]
    >;
  const series: TitanicSeries = {
    gradNorm: byWeight((layer) => batchSide(tags.gradNormTag(`${layer}/kernel`, args.normKind))),
    element: byWeight((layer) => weightSide(tags.elementTag(`${layer}/kernel[0,0]`))),
    updateRatio: byWeight((layer) => weightSide(tags.updateRatioTag(`${layer}/kernel`))),
    signalNorm: byWeight((layer) => batchSide(tags.signalNormTag(layer, args.normKind))),
    loss: batchSide(tags.LOSS_TAG),
  };
  const initialElement = Object.fromEntries(
    TITANIC_WEIGHTS.map((w) => [
      w.label,
      memory.series(tags.elementTag(`${w.layer}/kernel[0,0]`))[0].value,
    ]),
  ) as Record<WeightLabel, number>;
  const evaluate = (set: typeof train) => {
    const result = model.evaluate(set, { batchSize: 256 });
    return { loss: result.loss, accuracy: result.accuracy ?? NaN };
  };
  return {
    activation: args.activation,
    normKind: args.normKind,
    series,
    initialElement,
    validation: evaluate(validation),
    train: evaluate(train),
  };
}
