/**
 * GradientProbes: the gradient-flow instruments, one Callback. It reads only what the engine
 * already computed: the glass-box contract of layer.ts (each layer's buffers and what it
 * declares: activation kind, pass-through) and the step context (the step's gradient
 * measurement, the clip report, the update norms), reducing over the engine's buffers in place:
 * no extra forward or backward pass, no second norm pass, no copy of a tensor, and nothing
 * written, so training is bitwise the same with or without probes. It knows no concrete layer
 * class. Tags and steps: see tags.ts; intervals: see intervals.ts.
 *
 *   model.fit(data, { callbacks: [new GradientProbes({ sink: new RunWriter('runs/a') })] });
 */
import type { BatchEndContext, Callback, StepContext, StepPosition } from '../engine/callbacks.js';
import { ValueError } from '../engine/errors.js';
import type { Layer } from '../engine/layers/layer.js';
import type { StepMeasures } from '../engine/measures.js';
import type { Variable } from '../engine/layers/variable.js';
import type { Model } from '../engine/model.js';
import type { GradientNorms } from '../engine/norms.js';
import { countNonFinite, countNonFiniteGiven, sumsOfSquares } from '../engine/norms.js';
import type { Tensor } from '../engine/tensor.js';
import type { UpdateReport } from '../engine/optimizers/optimizer.js';
import * as stats from './activation-stats.js';
import { isDue, resolveIntervals } from './intervals.js';
import type { Interval, ProbeIntervals } from './intervals.js';
import { layersNamed, parseElementSelector, resolveElement } from './selectors.js';
import type { ElementSelector, ResolvedElement } from './selectors.js';
import { ScalarBatch } from './scalar-batch.js';
import { nowSeconds, type RecordSink } from './sink.js';
import * as tags from './tags.js';
import type { LayerTags, NormKind, VariableTags } from './tags.js';

export interface GradientProbesArgs {
  /** Where records go (a RunWriter, a MemoryProvider run, a TeeSink). Required. */
  sink: RecordSink;
  /**
   * How often each group records. Defaults to DEFAULT_INTERVALS: activations every 10 steps,
   * histograms every 100, the rest every step.
   */
  every?: ProbeIntervals;
  /** Layers to probe, by name. Defaults to every layer but pass-through ones (Flatten). */
  layers?: string[];
  /** Weight elements to follow, e.g. 'dense_1/kernel[0,0]' (see selectors.ts). Defaults to none. */
  elements?: string[];
  /** Per-layer norms as √Σx² ('l2') or Σx² ('squared'). Defaults to 'l2'. */
  normKind?: NormKind;
  /** Buckets per histogram. Defaults to the sink's default (30, TensorBoard's). */
  bucketCount?: number;
}

interface ProbedLayer {
  readonly layer: Layer;
  readonly activation: string | null;
  readonly tags: LayerTags;
}

interface ProbedVariable {
  readonly variable: Variable;
  /** Whether its layer is probed: global norms and non-finite counts cover every variable. */
  readonly probed: boolean;
  readonly tags: VariableTags;
}

export class GradientProbes implements Callback {
  readonly sink: RecordSink;
  readonly intervals: Readonly<Required<ProbeIntervals>>;
  readonly normKind: NormKind;
  /** Whether norms are shown as Σx² (normKind 'squared'), read once per norm. */
  private readonly squared: boolean;
  /** Buckets per histogram; undefined leaves the choice to the sink. */
  readonly bucketCount: number | undefined;
  private readonly layerNames: readonly string[] | null;
  private readonly selectors: readonly ElementSelector[];
  private layers: ProbedLayer[] = [];
  /** Every trainable variable of the model, in order. */
  private variables: ProbedVariable[] = [];
  private elements: { tag: string; resolved: ResolvedElement }[] = [];
  /** The variables' weights, and room for their Σw²: measured in one call per step. */
  private weights: Tensor[] = [];
  private weightSquares = new Float64Array(0);
  /**
   * The probed layers' backprop signals this step that backward did not measure (their buffers
   * change with the batch size).
   */
  private readonly signals: Tensor[] = [];
  private signalSquares = new Float64Array(0);
  /** The probed layers' outputs this step, for their statistics taken together. */
  private readonly outputs: Tensor[] = [];
  /** Optimizer steps taken before this `fit`: record steps continue from there. */
  private stepOffset = 0;
  /** The wall time of every record of step `clockStep` (a fit step), read once per step. */
  private wallTime = 0;
  private clockStep = -1;
  /** The scalars of `onGradients` (step s), and of `onBatchEnd` at steps s and s + 1. */
  private batch: ScalarBatch;
  private globalBatch: ScalarBatch;
  private weightBatch: ScalarBatch;

  constructor(args: GradientProbesArgs) {
    this.sink = args.sink;
    this.intervals = resolveIntervals(args.every);
    this.normKind = args.normKind ?? 'l2';
    if (this.normKind !== 'l2' && this.normKind !== 'squared') {
      throw new ValueError(
        `GradientProbes: normKind must be 'l2' or 'squared'. Received: normKind=${String(args.normKind)}`,
      );
    }
    this.squared = this.normKind === 'squared';
    this.bucketCount = args.bucketCount;
    if (
      this.bucketCount !== undefined &&
      !(Number.isInteger(this.bucketCount) && this.bucketCount > 0)
    ) {
      throw new ValueError(
        `GradientProbes: bucketCount must be a positive integer. Received: bucketCount=${args.bucketCount}`,
      );
    }
    this.batch = new ScalarBatch(this.sink);
    this.globalBatch = new ScalarBatch(this.sink);
    this.weightBatch = new ScalarBatch(this.sink);
    this.layerNames = args.layers ? [...args.layers] : null;
    this.selectors = (args.elements ?? []).map(parseElementSelector);
  }

  onTrainBegin(model: Model): void {
    if (!model.optimizer) throw new ValueError(`GradientProbes: ${model.name} is not compiled`);
    const layers = this.selectLayers(model);
    this.layers = layers.map((layer) => ({
      layer,
      activation: layer.activationKind,
      tags: tags.layerTags(layer.name!, this.normKind),
    }));
    const probed = new Set(layers.flatMap((layer) => layer.trainableVariables));
    this.variables = model.trainableVariables.map((variable) => ({
      variable,
      probed: probed.has(variable),
      tags: tags.variableTags(variable.name, this.normKind),
    }));
    this.weights = this.variables.map(({ variable }) => variable.value);
    this.weightSquares = new Float64Array(this.weights.length);
    this.signalSquares = new Float64Array(this.layers.length);
    this.elements = this.selectors.map((selector) => ({
      tag: tags.elementTag(selector.text),
      resolved: resolveElement(selector, model.variables),
    }));
    this.stepOffset = model.optimizer.iterations;
    this.clockStep = -1;
    if (this.stepOffset === 0) this.held(() => this.recordWeights(0, null, null, nowSeconds()));
  }

  /**
   * The norms due at this step, asked of the step: the gradient and signal norms are then taken
   * by the kernels that compute gradients and signals, the update norms and the weights' Σw² by
   * the optimizer's.
   */
  measuresWanted(position: StepPosition): StepMeasures {
    const step = this.stepOffset + position.step;
    // Update ratios and weight norms are weight-side records: step s's update is recorded at
    // s + 1, and the weights' Σw² then comes with the update's report.
    const updates = isDue(this.intervals.updates, step + 1, position);
    return {
      gradients: isDue(this.intervals.norms, step, position),
      signals: isDue(this.intervals.signals, step, position),
      updates,
      weights: updates || isDue(this.intervals.norms, step + 1, position),
    };
  }

  /**
   * Records the batch side of step s. The sink holds them until the end of `onBatchEnd`, so that
   * a RunWriter writes a step's records with one system call; they are flushed here only when
   * recording throws.
   */
  onGradients(context: StepContext): void {
    this.sink.hold?.();
    try {
      const step = this.stepOffset + context.step;
      const every = this.intervals;
      const wallTime = this.stepWallTime(context);
      if (isDue(every.loss, step, context)) this.batch.add(tags.LOSS_TAG, context.loss);
      if (isDue(every.norms, step, context)) this.recordGradientNorms(context);
      if (isDue(every.signals, step, context)) this.recordSignals();
      if (isDue(every.activations, step, context)) this.recordActivations();
      this.batch.write(step, wallTime);
      if (isDue(every.histograms, step, context)) {
        const measured = isDue(every.norms, step, context) ? context.gradients : null;
        this.recordBatchHistograms(step, measured);
      }
    } catch (error) {
      this.sink.flush?.();
      throw error;
    }
  }

  /** Records the global norms of step s and the weight side of step s + 1, then flushes. */
  onBatchEnd(context: BatchEndContext): void {
    this.held(() => {
      const step = this.stepOffset + context.step;
      const wallTime = this.stepWallTime(context);
      if (isDue(this.intervals.norms, step, context)) {
        this.recordGlobalNorms(context);
        this.globalBatch.write(step, wallTime);
      }
      this.recordWeights(step + 1, context, context.update, wallTime);
    });
  }

  /**
   * One clock reading per step: every record of a step carries the same wall time, and a
   * RunWriter writes the records of step s from both callbacks as one event.
   */
  private stepWallTime(context: StepContext): number {
    if (this.clockStep !== context.step) {
      this.clockStep = context.step;
      this.wallTime = nowSeconds();
    }
    return this.wallTime;
  }

  /**
   * Runs `record` with the sink holding its records, so that they are written together;
   * flushed even when `record` throws, so that nothing recorded before is lost.
   */
  private held(record: () => void): void {
    this.sink.hold?.();
    try {
      record();
    } finally {
      this.sink.flush?.();
    }
  }

  private selectLayers(model: Model): Layer[] {
    if (!this.layerNames) return model.layers.filter((layer) => !layer.passThrough);
    return layersNamed(model, this.layerNames, 'GradientProbes');
  }

  /** The per-layer norm as shown, from Σx². */
  private shown(squares: number): number {
    return this.squared ? squares : Math.sqrt(squares);
  }

  /** From the step's gradient measurement, the one the clipper reads. */
  private recordGradientNorms(context: StepContext): void {
    const { gradients } = context;
    let nonFinite = 0;
    for (let k = 0; k < this.variables.length; k++) {
      const { variable, probed, tags: t } = this.variables[k];
      const squares = this.gradientSquares(gradients, k);
      // The gradient's getter only when needed: it checks its lazy zeroing, every step.
      if (!Number.isFinite(squares)) nonFinite += countNonFinite(variable.trainableGrad.data);
      if (probed) this.batch.add(t.gradNorm, this.shown(squares));
    }
    this.batch.add(tags.NONFINITE_LOSS_TAG, Number.isFinite(context.loss) ? 0 : 1);
    this.batch.add(tags.NONFINITE_GRADIENTS_TAG, nonFinite);
  }

  /** Σg² of the k-th probed variable's gradient, as the step's measurement has it. */
  private gradientSquares(gradients: GradientNorms, k: number): number {
    // The measurement lists the model's trainable variables in the order kept here; reading by
    // index spares a lookup per variable, and any other list is read by reference.
    const { variable } = this.variables[k];
    const sameOrder = gradients.variables.length === this.variables.length;
    return sameOrder && gradients.variables[k] === variable
      ? gradients.squaresAt(k)
      : gradients.squaresOf(variable);
  }

  /** Before and after the clipper; without one, both are the step's measured global norm. */
  private recordGlobalNorms(context: BatchEndContext): void {
    const { clip } = context.update;
    const measured = context.gradients.total;
    this.globalBatch.add(tags.GLOBAL_NORM_BEFORE_CLIP_TAG, clip?.normBefore ?? measured);
    this.globalBatch.add(tags.GLOBAL_NORM_AFTER_CLIP_TAG, clip?.normAfter ?? measured);
  }

  /** Σ(∂L/∂a)² as backward measured it where it did, else in one kernel call for the rest. */
  private recordSignals(): void {
    const { signals, signalSquares } = this;
    signals.length = 0;
    for (const { layer } of this.layers) {
      if (layer.outputGrad && layer.outputGradSquares === null) signals.push(layer.outputGrad);
    }
    if (signals.length > 0) sumsOfSquares(signals, signalSquares);
    let unmeasured = 0;
    for (const probed of this.layers) {
      if (!probed.layer.outputGrad) continue;
      const measured = probed.layer.outputGradSquares;
      const squares = measured ?? signalSquares[unmeasured++];
      this.batch.add(probed.tags.signalNorm, this.shown(squares));
    }
  }

  private recordActivations(): void {
    const outputs = this.outputs;
    outputs.length = 0;
    for (const { layer } of this.layers) if (layer.output) outputs.push(layer.output);
    const moments = stats.tensorMeansAndStds(outputs);
    let k = 0;
    for (const { layer, activation, tags: t } of this.layers) {
      const output = layer.output;
      if (!output) continue;
      const { mean, std } = moments[k++];
      this.batch.add(t.activationMean, mean);
      this.batch.add(t.activationStd, std);
      if (activation === 'sigmoid' || activation === 'tanh') {
        this.batch.add(t.saturatedFraction, stats.saturatedFraction(output.data, activation));
      } else if (activation === 'relu') {
        const units = output.shape[output.shape.length - 1];
        this.batch.add(t.deadFraction, stats.deadFraction(output.data, units));
      }
    }
  }

  /**
   * The gradient and activation histograms of `step`; `gradients` is the step's measurement
   * where the norms took it (then each gradient histogram carries its Σg²), else null.
   */
  private recordBatchHistograms(step: number, gradients: GradientNorms | null): void {
    const { bucketCount } = this;
    for (let k = 0; k < this.variables.length; k++) {
      const { variable, probed, tags: t } = this.variables[k];
      if (!probed) continue;
      const sumOfSquares = gradients === null ? undefined : this.gradientSquares(gradients, k);
      const values = variable.trainableGrad.data;
      this.sink.histogram(t.gradientsHistogram, values, step, { bucketCount, sumOfSquares });
    }
    const options = { bucketCount };
    for (const { layer, tags: t } of this.layers) {
      if (layer.output)
        this.sink.histogram(t.activationsHistogram, layer.output.data, step, options);
    }
  }

  /**
   * Weight-side records at `step` (after `step` updates), for the groups due then (every group
   * but 'never' at the initial weights, without a `context`); `update` is the report of the
   * update that led there (null for the initial weights).
   */
  private recordWeights(
    step: number,
    context: StepContext | null,
    update: UpdateReport | null,
    wallTime: number,
  ): void {
    const norms = dueAt(this.intervals.norms, step, context);
    const updates = dueAt(this.intervals.updates, step, context);
    const histograms = dueAt(this.intervals.histograms, step, context);
    const squares = this.weightSquares;
    // From the update's report where it has them (`measuresWanted`), else every weight in one
    // call: the norms and the non-finite count need them all, and the update ratios nearly all
    // (the probed layers'); one pass costs less than picking.
    if (norms || updates) this.measureWeights(update, squares);
    const batch = this.weightBatch;
    let nonFinite = 0;
    for (let k = 0; k < this.variables.length; k++) {
      const { variable, probed, tags: t } = this.variables[k];
      if (norms || (updates && probed)) {
        nonFinite += countNonFiniteGiven(variable.value, squares[k]);
        if (probed && norms) batch.add(t.weightNorm, this.shown(squares[k]));
        const delta = probed && updates ? update?.updateNorms.get(variable) : undefined;
        if (delta !== undefined) batch.add(t.updateRatio, delta / Math.sqrt(squares[k]));
      }
      if (probed && histograms) {
        const w = variable.value.data;
        const sumOfSquares = norms || updates ? squares[k] : undefined;
        this.sink.histogram(t.weightsHistogram, w, step, {
          bucketCount: this.bucketCount,
          sumOfSquares,
        });
      }
    }
    if (norms) batch.add(tags.NONFINITE_WEIGHTS_TAG, nonFinite);
    if (dueAt(this.intervals.elements, step, context)) {
      for (const { tag, resolved } of this.elements) {
        batch.add(tag, resolved.variable.value.data[resolved.offset]);
      }
    }
    batch.write(step, wallTime);
  }

  /** Σw² of each variable into `squares`: the update's where it took every one, else measured. */
  private measureWeights(update: UpdateReport | null, squares: Float64Array): void {
    const taken = update?.weightSquares;
    if (taken === undefined || taken.size !== this.variables.length) {
      sumsOfSquares(this.weights, squares);
      return;
    }
    for (let k = 0; k < this.variables.length; k++) {
      const measured = taken.get(this.variables[k].variable);
      if (measured === undefined) {
        sumsOfSquares(this.weights, squares);
        return;
      }
      squares[k] = measured;
    }
  }
}

/** Whether a group is due at `step`; without a context (the initial weights), unless 'never'. */
function dueAt(interval: Interval, step: number, context: StepContext | null): boolean {
  return context ? isDue(interval, step, context) : interval !== 'never';
}
