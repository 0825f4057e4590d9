/**
 * The two initialization studies of `gradscope depth`, on Fashion-MNIST:
 *
 * - Glorot & Bengio (2010): Flatten → `hidden` × Dense(width, activation) → Dense(10, softmax),
 *   SGD, with "standard" init U[−1/√n, 1/√n] (n = fan-in) or normalized (Glorot) init.
 *   At the steps in `statSteps` each hidden layer records the std of its activations and of the
 *   backpropagated gradient ∂L/∂s (s its pre-activation), and histograms of both, under the
 *   probes' activation tags and the two below.
 * - He et al. (2015): a deep ReLU MLP under SGD with momentum, Glorot or He init; the probes
 *   record the backprop signal ‖∂L/∂a‖ per layer, and the loss every step.
 *
 * | tag (besides the probes', src/probe/tags.ts)  | value                         | step |
 * |-----------------------------------------------|-------------------------------|------|
 * | `preactivation_grad_std/<layer>`              | std of ∂L/∂s over the batch   | s    |
 * | histogram `preactivation_grads/<layer>`       | the values of ∂L/∂s           | s    |
 * | `kernel_grad_std/<layer>`                     | std of ∂L/∂W over its entries | s    |
 */
import type { ActivationName } from '../../engine/activations.js';
import type { Callback, StepContext } from '../../engine/callbacks.js';
import type { Dataset } from '../../engine/dataset.js';
import type { InitializerSpec } from '../../engine/initializers.js';
import { Dense, Flatten } from '../../engine/layers/index.js';
import type { Layer } from '../../engine/layers/index.js';
import { SGD } from '../../engine/optimizers/sgd.js';
import { Sequential } from '../../engine/sequential.js';
import { meanAndStd } from '../../probe/activation-stats.js';
import { GradientProbes } from '../../probe/index.js';
import type { RecordSink } from '../../probe/sink.js';
import { NO_PROBES, type ProbeIntervals } from '../../probe/intervals.js';
import * as tags from '../../probe/tags.js';
import { diagnosedProbes, type LiveDiagnosisArgs } from '../live-diagnosis.js';

export type GlorotInit = 'standard' | 'normalized';
export type HeInit = 'glorot' | 'he';

export function preactivationGradStdTag(layer: string): string {
  return `preactivation_grad_std/${layer}`;
}
export function preactivationGradsHistogramTag(layer: string): string {
  return `preactivation_grads/${layer}`;
}
export function kernelGradStdTag(layer: string): string {
  return `kernel_grad_std/${layer}`;
}

/** The probes' loss every step and nothing else (the studies record their own statistics). */
const LOSS_ONLY: ProbeIntervals = { ...NO_PROBES, loss: 1 };

/** Pixels per Fashion-MNIST image, the first layer's fan-in. */
const PIXELS = 28 * 28;

/** U[−1/√n, 1/√n] for a layer of fan-in n: Glorot & Bengio's eq. (1), "commonly used". */
function standardInit(fanIn: number): InitializerSpec {
  const limit = 1 / Math.sqrt(fanIn);
  return { name: 'random_uniform', minval: -limit, maxval: limit };
}

function mlp(
  name: string,
  depth: number,
  width: number,
  activation: ActivationName,
  init: (fanIn: number) => InitializerSpec,
  seed: number,
): Sequential {
  const layers: Layer[] = [new Flatten({ inputShape: [28, 28] })];
  for (let k = 0; k < depth; k++) {
    const kernelInitializer = init(k === 0 ? PIXELS : width);
    layers.push(new Dense({ units: width, activation, kernelInitializer }));
  }
  layers.push(new Dense({ units: 10, activation: 'softmax', kernelInitializer: init(width) }));
  return new Sequential({ name, layers, seed });
}

/** The hidden Dense layers' names, input side first. */
export function hiddenLayers(depth: number): string[] {
  return Array.from({ length: depth }, (_, k) => `dense_${k + 1}`);
}

/**
 * Records mean, std and histogram of a, std and histogram of ∂L/∂s, and the std of ∂L/∂W of
 * every hidden layer at the chosen steps.
 */
function preactivationGradRecorder(
  model: Sequential,
  layers: readonly string[],
  sink: RecordSink,
  steps: ReadonlySet<number>,
): Callback {
  return {
    onGradients(context: StepContext) {
      if (!steps.has(context.step)) return;
      for (const name of layers) {
        const layer = model.layer(name) as Dense;
        const a = layer.output!.data,
          grads = layer.preActivationGrad!.data;
        const { mean, std } = meanAndStd(a);
        sink.scalar(tags.activationMeanTag(name), mean, context.step);
        sink.scalar(tags.activationStdTag(name), std, context.step);
        sink.histogram(tags.activationsHistogramTag(name), a, context.step);
        sink.scalar(preactivationGradStdTag(name), meanAndStd(grads).std, context.step);
        sink.histogram(preactivationGradsHistogramTag(name), grads, context.step);
        const kernelGrad = layer.kernel.trainableGrad.data;
        sink.scalar(kernelGradStdTag(name), meanAndStd(kernelGrad).std, context.step);
      }
    },
  };
}

export interface GlorotRunArgs extends LiveDiagnosisArgs {
  activation: ActivationName;
  init: GlorotInit;
  /** Hidden layers (5 in the paper). */
  depth: number;
  /** Units per hidden layer (1000 in the paper). */
  width: number;
  train: Dataset;
  updates: number;
  /** Steps at which ∂L/∂s is recorded; 0 is at initialization. */
  statSteps: readonly number[];
  learningRate: number;
  seed: number;
  sink: RecordSink;
}

export function runGlorot(args: GlorotRunArgs): void {
  const init = args.init === 'standard' ? standardInit : () => 'glorot_uniform' as const;
  const model = mlp(
    `glorot_${args.activation}_${args.init}`,
    args.depth,
    args.width,
    args.activation,
    init,
    args.seed,
  );
  model.compile({
    optimizer: new SGD({ learningRate: args.learningRate }),
    loss: 'sparse_categorical_crossentropy',
  });
  const steps = new Set(args.statSteps);
  model.fit(args.train, {
    epochs: Math.ceil((args.updates * 32) / args.train.count),
    maxSteps: args.updates,
    callbacks: diagnosedProbes({
      live: args,
      name: model.name,
      sink: args.sink,
      probes: (sink) => [
        new GradientProbes({ sink, every: LOSS_ONLY }),
        preactivationGradRecorder(model, hiddenLayers(args.depth), sink, steps),
      ],
    }),
  });
}

export interface HeRunArgs extends LiveDiagnosisArgs {
  init: HeInit;
  /** ReLU layers (30 in the paper's deepest model). */
  depth: number;
  width: number;
  train: Dataset;
  epochs: number;
  learningRate: number;
  momentum: number;
  seed: number;
  sink: RecordSink;
}

export function runHe(args: HeRunArgs): void {
  const init = () => (args.init === 'he' ? 'he_normal' : 'glorot_normal') as InitializerSpec;
  const model = mlp(`he_${args.init}`, args.depth, args.width, 'relu', init, args.seed);
  model.compile({
    optimizer: new SGD({ learningRate: args.learningRate, momentum: args.momentum }),
    loss: 'sparse_categorical_crossentropy',
  });
  model.fit(args.train, {
    epochs: args.epochs,
    callbacks: diagnosedProbes({
      live: args,
      name: model.name,
      sink: args.sink,
      probes: (sink) => [
        new GradientProbes({
          sink,
          every: { ...LOSS_ONLY, signals: 1 },
          layers: hiddenLayers(args.depth),
        }),
      ],
    }),
  });
}
