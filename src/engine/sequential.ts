/**
 * Sequential: a stack of layers trained by minibatch gradient descent, with Keras' API
 * (`add`, `compile`, `fit`, `evaluate`, `predict`, `summary`).
 *
 * One training step: gather a batch → forward through every layer → loss → zero gradients →
 * backward from the loss down to the first trainable layer → `onGradients` callbacks →
 * optimizer step → `onBatchEnd` callbacks. Layers below the first trainable one get no
 * backward pass: nothing there learns.
 */
import { emptyHistory, measuresWanted, recordEpoch } from './callbacks.js';
import type { BatchEndContext, Callback, EpochLogs, History, StepContext } from './callbacks.js';
import { gatherLabels } from './dataset.js';
import type { Dataset } from './dataset.js';
import { checkPositiveInteger, ShapeError, ValueError } from './errors.js';
import type { Layer } from './layers/layer.js';
import { NO_MEASURES, type StepMeasures } from './measures.js';
import type { Variable } from './layers/variable.js';
import { getLoss } from './losses.js';
import type { Model } from './model.js';
import { GradientNorms } from './norms.js';
import type { Loss, LossName } from './losses.js';
import { getOptimizer } from './optimizers/index.js';
import type { Optimizer, OptimizerName } from './optimizers/index.js';
import { RandomState } from './random.js';
import { summary } from './summary.js';
import { loadWeights, saveWeights } from './weights-io.js';
import { shapeSize, shapeToString, Tensor } from './tensor.js';
import type { Shape } from './tensor.js';

const CLIPPING: StepMeasures = { ...NO_MEASURES, gradients: true };

export interface SequentialArgs {
  /** Layers to add in order. Defaults to none. */
  layers?: Layer[];
  /** Defaults to 'sequential'. */
  name?: string;
  /** Seeds weight initialization, shuffling and dropout. Defaults to 0. */
  seed?: number;
}

export interface CompileArgs {
  /** An optimizer, or its name with Keras defaults ('sgd', 'adam', 'rmsprop'). Required. */
  optimizer: Optimizer | OptimizerName;
  /** A loss, or its Keras name (e.g. 'binary_crossentropy'). Required. */
  loss: Loss | LossName;
}

export interface BatchArgs {
  /** Samples per forward pass. Defaults to 32. */
  batchSize?: number;
}

export interface FitArgs {
  /** Defaults to 1. */
  epochs?: number;
  /** Defaults to 32. */
  batchSize?: number;
  /** Reshuffle the samples before each epoch. Defaults to true. */
  shuffle?: boolean;
  /** Evaluated after each epoch into val_loss / val_accuracy. Defaults to none. */
  validationData?: Dataset;
  /** Defaults to none. */
  callbacks?: Callback[];
  /** Stop after this many optimizer steps in total. Defaults to no limit. */
  maxSteps?: number;
}

export interface Evaluation {
  loss: number;
  accuracy?: number;
}

export class Sequential implements Model {
  readonly name: string;
  readonly layers: Layer[] = [];
  readonly rng: RandomState;
  optimizer: Optimizer | null = null;
  loss: Loss | null = null;
  /** Set by a callback to end `fit` after the current batch (Keras' stop_training). */
  stopTraining = false;
  private readonly kindCounts = new Map<string, number>();
  /**
   * The variable lists, made once by `build`: layers cannot be added after it, and each layer
   * makes its weights in its own build. `fit` reads them every step, where making them again
   * (flatMap and filter over every layer) cost 10–60 µs a step.
   */
  private lists: { variables: Variable[]; trainable: Variable[]; firstTrainable: number } | null =
    null;
  private inputBuffer: Tensor | undefined;
  private lossGrad: Tensor | undefined;
  private logitGrad: Tensor | undefined;

  constructor(args: SequentialArgs = {}) {
    this.name = args.name ?? 'sequential';
    this.rng = new RandomState(args.seed ?? 0);
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Appends a layer, naming it `<kind>_<n>` unless it has a name. */
  add(layer: Layer): this {
    if (this.built)
      throw new ValueError(
        `${this.name}: layers can only be added before build. Received: ${layer.className} after build`,
      );
    if (layer.name === undefined) {
      // As Keras: only unnamed layers take a number.
      const count = (this.kindCounts.get(layer.kind) ?? 0) + 1;
      this.kindCounts.set(layer.kind, count);
      layer.name = `${layer.kind}_${count}`;
    }
    if (this.layers.some((other) => other.name === layer.name)) {
      throw new ValueError(
        `${this.name}: layer names must be unique. Received: a second layer named '${layer.name}'`,
      );
    }
    this.layers.push(layer);
    return this;
  }

  get built(): boolean {
    return this.layers.length > 0 && this.layers[0].built;
  }

  get inputShape(): Shape {
    const shape = this.layers[0]?.inputShape;
    if (!shape) throw new ValueError(`${this.name}: not built yet`);
    return shape;
  }

  get outputShape(): Shape {
    return this.layers[this.layers.length - 1].outputShape!;
  }

  /** Every variable, trainable or not, in layer order. */
  get variables(): readonly Variable[] {
    return this.lists?.variables ?? this.layers.flatMap((layer) => layer.variables);
  }

  get trainableVariables(): readonly Variable[] {
    return this.lists?.trainable ?? this.variables.filter((v) => v.trainable);
  }

  /** The layer called `name`. */
  layer(name: string): Layer {
    const found = this.layers.find((layer) => layer.name === name);
    if (!found) {
      throw new ValueError(
        `${this.name}: no layer '${name}'. Layers: ${this.layers.map((l) => l.name).join(', ')}`,
      );
    }
    return found;
  }

  /** Creates every layer's weights, from `inputShape` or the first layer's declared shape. */
  build(inputShape?: Shape): this {
    if (this.built) return this;
    if (this.layers.length === 0) throw new ValueError(`${this.name}: has no layers`);
    let shape = inputShape ?? this.layers[0].declaredInputShape;
    if (!shape) {
      throw new ValueError(
        `${this.name}: the first layer needs an inputShape (or call build(shape))`,
      );
    }
    for (const layer of this.layers) {
      layer.build(shape, this.rng);
      shape = layer.outputShape!;
    }
    const variables = this.layers.flatMap((layer) => layer.variables);
    const first = this.layers.findIndex((layer) => layer.trainableVariables.length > 0);
    this.lists = {
      variables,
      trainable: variables.filter((v) => v.trainable),
      firstTrainable: first < 0 ? this.layers.length - 1 : first,
    };
    return this;
  }

  compile(args: CompileArgs): this {
    this.optimizer =
      typeof args.optimizer === 'string' ? getOptimizer(args.optimizer) : args.optimizer;
    this.loss = typeof args.loss === 'string' ? getLoss(args.loss) : args.loss;
    // As Keras: without a declared input shape the weights are made by the first fit.
    if (this.layers[0]?.declaredInputShape) this.build();
    return this;
  }

  /** Runs the layers on a batch; the returned tensor is the model's buffer, valid until the next call. */
  forward(x: Tensor, training: boolean): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, { training, rng: this.rng });
    return h;
  }

  /**
   * Forward and backward on one batch: returns the mean loss and the number of correct
   * predictions. Gradients are left in the variables; the optimizer is not applied. `measures`
   * (defaults to none) asks backward for squared norms on the way (StepMeasures).
   */
  computeGradients(
    x: Tensor,
    y: Float32Array,
    measures: StepMeasures = NO_MEASURES,
  ): { loss: number; correct: number | null } {
    const loss = this.requireCompiled().loss;
    const p = this.forward(x, true);
    const cols = p.shape[p.shape.length - 1];
    const rows = p.size / cols;
    const last = this.layers[this.layers.length - 1];
    const logits = this.fusedLogits(loss);
    const value = loss.compute(p.data, y, rows, cols, logits?.data, logits && last.logitRowStats);
    for (const variable of this.variables) variable.zeroGrad();
    const lossGrad = (this.lossGrad = Tensor.resized(this.lossGrad, p.shape));
    loss.gradient(p.data, y, lossGrad.data, rows, cols);
    const first = this.firstTrainableIndex();
    const lastIndex = this.layers.length - 1;
    let logitGrad: Tensor | undefined;
    if (logits) {
      logitGrad = this.logitGrad = Tensor.resized(this.logitGrad, p.shape);
      loss.logitGradient(p.data, y, logitGrad.data, rows, cols);
    }
    let g = last.backward(lossGrad, lastIndex > first, logitGrad, measures);
    for (let i = lastIndex - 1; i >= first && g; i--) {
      g = this.layers[i].backward(g, i > first, undefined, measures);
    }
    return { loss: value, correct: loss.correct(p.data, y, rows, cols) };
  }

  fit(data: Dataset, args: FitArgs = {}): History {
    const { optimizer } = this.requireCompiled();
    const epochs = args.epochs ?? 1,
      batchSize = args.batchSize ?? 32;
    checkPositiveInteger('fit', 'epochs', epochs);
    checkPositiveInteger('fit', 'batchSize', batchSize);
    if (args.maxSteps !== undefined) checkPositiveInteger('fit', 'maxSteps', args.maxSteps);
    this.checkDataset(data, 'x');
    if (args.validationData) this.checkDataset(args.validationData, 'validationData');
    const callbacks = args.callbacks ?? [];
    const history = emptyHistory();
    const batchesPerEpoch = Math.ceil(data.count / batchSize);
    const labels = new Float32Array(batchSize * data.labelSize);
    let step = 0;
    this.stopTraining = false;
    callbacks.forEach((c) => c.onTrainBegin?.(this));
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      callbacks.forEach((c) => c.onEpochBegin?.(epoch));
      const order =
        args.shuffle === false ? identity(data.count) : this.rng.permutation(data.count);
      let lossSum = 0,
        correctSum = 0,
        seen = 0,
        hasAccuracy = true;
      for (let batch = 0; batch < batchesPerEpoch && !this.stopTraining; batch++) {
        const start = batch * batchSize,
          n = Math.min(batchSize, data.count - start);
        const x = this.batchInput(data, order, start, n);
        gatherLabels(data, order, start, n, labels);
        const position = { epoch, batch, step, batchesPerEpoch };
        // The clipper reads the gradient norms every step.
        const measures = measuresWanted(
          callbacks,
          position,
          optimizer.clipper ? CLIPPING : NO_MEASURES,
        );
        const result = this.computeGradients(x, labels.subarray(0, n * data.labelSize), measures);
        if (!Number.isFinite(result.loss)) checkBatchFinite(x, order, start);
        const trainable = this.trainableVariables;
        const context: StepContext = {
          model: this,
          epoch,
          batch,
          step,
          batchSize: n,
          batchesPerEpoch,
          loss: result.loss,
          gradients: new GradientNorms(trainable),
        };
        callbacks.forEach((c) => c.onGradients?.(context));
        const { updates, weights } = measures;
        const update = optimizer.apply(trainable, context.gradients, updates, weights);
        const ended: BatchEndContext = { ...context, update };
        for (const c of callbacks) {
          if (c.onBatchEnd !== undefined && step >= (c.nextBatchEnd ?? 0)) c.onBatchEnd(ended);
        }
        lossSum += result.loss * n;
        seen += n;
        if (result.correct === null) hasAccuracy = false;
        else correctSum += result.correct;
        step++;
        if (args.maxSteps !== undefined && step >= args.maxSteps) this.stopTraining = true;
      }
      const logs: EpochLogs = { loss: lossSum / seen };
      if (hasAccuracy) logs.accuracy = correctSum / seen;
      if (args.validationData) {
        const val = this.evaluate(args.validationData, { batchSize });
        logs.val_loss = val.loss;
        if (val.accuracy !== undefined) logs.val_accuracy = val.accuracy;
      }
      recordEpoch(history, epoch, logs);
      callbacks.forEach((c) => c.onEpochEnd?.(epoch, logs));
    }
    callbacks.forEach((c) => c.onTrainEnd?.(history));
    return history;
  }

  /** Mean loss (and accuracy, where it applies) in inference mode. */
  evaluate(data: Dataset, { batchSize = 32 }: BatchArgs = {}): Evaluation {
    const { loss } = this.requireCompiled();
    checkPositiveInteger('evaluate', 'batchSize', batchSize);
    this.checkDataset(data, 'x');
    const order = identity(data.count);
    const labels = new Float32Array(batchSize * data.labelSize);
    let lossSum = 0,
      correctSum: number | null = 0;
    for (let start = 0; start < data.count; start += batchSize) {
      const n = Math.min(batchSize, data.count - start);
      const p = this.forward(this.batchInput(data, order, start, n), false);
      gatherLabels(data, order, start, n, labels);
      const y = labels.subarray(0, n * data.labelSize);
      const cols = p.shape[p.shape.length - 1];
      const logits = this.fusedLogits(loss);
      const rowStats = logits && this.layers[this.layers.length - 1].logitRowStats;
      lossSum += loss.compute(p.data, y, n, cols, logits?.data, rowStats) * n;
      const correct = loss.correct(p.data, y, n, cols);
      correctSum = correct === null || correctSum === null ? null : correctSum + correct;
    }
    const result: Evaluation = { loss: lossSum / data.count };
    if (correctSum !== null) result.accuracy = correctSum / data.count;
    return result;
  }

  /** The model's outputs for every sample, sample-major. */
  predict(
    data: Pick<Dataset, 'count' | 'sampleShape' | 'gatherSamples'>,
    { batchSize = 32 }: BatchArgs = {},
  ): Float32Array {
    checkPositiveInteger('predict', 'batchSize', batchSize);
    this.build(data.sampleShape);
    const order = identity(data.count);
    const outSize = shapeSize(this.outputShape);
    const out = new Float32Array(data.count * outSize);
    for (let start = 0; start < data.count; start += batchSize) {
      const n = Math.min(batchSize, data.count - start);
      out.set(this.forward(this.batchInput(data, order, start, n), false).data, start * outSize);
    }
    return out;
  }

  /** Keras' summary table: layers, output shapes, parameter counts. */
  summary(): string {
    return summary(this);
  }

  /** Writes every weight to `path` (format in weights-io.ts). */
  saveWeights(path: string): void {
    saveWeights(this, path);
  }

  /** Reads weights saved by `saveWeights`, matching by name and shape. */
  loadWeights(path: string): void {
    loadWeights(this, path);
  }

  private batchInput(
    data: Pick<Dataset, 'sampleShape' | 'gatherSamples'>,
    order: ArrayLike<number>,
    start: number,
    n: number,
  ): Tensor {
    const x = (this.inputBuffer = Tensor.resized(this.inputBuffer, [n, ...data.sampleShape]));
    data.gatherSamples(order, start, n, x.data);
    return x;
  }

  /**
   * The last layer's pre-activation z when that layer declares the loss's fused activation
   * (layer.ts's contract): the loss then takes its value and its gradient from z.
   */
  private fusedLogits(loss: Loss): Tensor | null {
    const last = this.layers[this.layers.length - 1];
    const fused = loss.fusedActivation !== null && last.activationKind === loss.fusedActivation;
    return fused ? last.preActivation : null;
  }

  /** The first layer with a trainable variable (the last layer when none has one). */
  private firstTrainableIndex(): number {
    if (this.lists !== null) return this.lists.firstTrainable;
    const index = this.layers.findIndex((layer) => layer.trainableVariables.length > 0);
    return index < 0 ? this.layers.length - 1 : index;
  }

  private requireCompiled(): { optimizer: Optimizer; loss: Loss } {
    if (!this.optimizer || !this.loss)
      throw new ValueError(`${this.name}: call compile() before training`);
    return { optimizer: this.optimizer, loss: this.loss };
  }

  private checkDataset(data: Dataset, what: string): void {
    this.build(data.sampleShape);
    const expected = this.inputShape;
    if (shapeToString(data.sampleShape) !== shapeToString(expected)) {
      throw new ShapeError(
        `${this.name}: ${what} samples must have shape ${shapeToString(expected)}. ` +
          `Received: ${shapeToString(data.sampleShape)}`,
      );
    }
    if (data.count === 0) {
      throw new ValueError(`${this.name}: ${what} must hold at least one sample. Received: 0`);
    }
    const cols = shapeSize(this.outputShape.slice(-1));
    const labelSize = this.loss!.labelSize(cols) * (shapeSize(this.outputShape) / cols);
    if (data.labelSize !== labelSize) {
      throw new ShapeError(
        `${this.name}: ${this.loss!.name} with output shape ${shapeToString(this.outputShape)} ` +
          `needs ${labelSize} label value(s) per sample. Received: ${data.labelSize}`,
      );
    }
    this.loss!.checkLabels(data.labels, cols);
  }
}

/**
 * Called when a batch's loss is not finite: throws if the batch's inputs hold NaN or Infinity
 * (a dataset that did not check them), naming the sample. Divergence with finite inputs is
 * left to training and its probes, as in Keras.
 */
function checkBatchFinite(x: Tensor, order: ArrayLike<number>, start: number): void {
  const values = x.data,
    sampleSize = x.size / x.shape[0];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const sample = order[start + Math.floor(i / sampleSize)];
      throw new ValueError(
        `fit: inputs must be finite. Received: sample ${sample}, value ${i % sampleSize} = ${values[i]}`,
      );
    }
  }
}

function identity(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
