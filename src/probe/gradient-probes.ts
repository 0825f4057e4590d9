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
import type { BatchEndContext, Callback, StepContext } from '../engine/callbacks.js';
import { ValueError } from '../engine/errors.js';
import type { Layer } from '../engine/layers/layer.js';
import type { Variable } from '../engine/layers/variable.js';
import type { Model } from '../engine/model.js';
import { countNonFiniteGiven, sumsOfSquares } from '../engine/norms.js';
import type { Tensor } from '../engine/tensor.js';
import type { UpdateReport } from '../engine/optimizers/optimizer.js';
import * as stats from './activation-stats.js';
import { isDue, resolveIntervals } from './intervals.js';
import type { Interval, ProbeIntervals } from './intervals.js';
import { layersNamed, parseElementSelector, resolveElement } from './selectors.js';
import type { ElementSelector, ResolvedElement } from './selectors.js';
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
  /** The probed layers' backprop signals this step (their buffers change with the batch size). */
  private readonly signals: Tensor[] = [];
  private readonly signalLayers: ProbedLayer[] = [];
  private signalSquares = new Float64Array(0);
  /** Optimizer steps taken before this `fit`: record steps continue from there. */
  private stepOffset = 0;

  constructor(args: GradientProbesArgs) {
    this.sink = args.sink;
    this.intervals = resolveIntervals(args.every);
    this.normKind = args.normKind ?? 'l2';
    if (this.normKind !== 'l2' && this.normKind !== 'squared') {
      throw new ValueError(
        `GradientProbes: normKind must be 'l2' or 'squared'. Received: normKind=${String(args.normKind)}`,
      );
    }
    this.bucketCount = args.bucketCount;
    if (
      this.bucketCount !== undefined &&
      !(Number.isInteger(this.bucketCount) && this.bucketCount > 0)
    ) {
      throw new ValueError(
        `GradientProbes: bucketCount must be a positive integer. Received: bucketCount=${args.bucketCount}`,
      );
    }
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
    if (this.stepOffset === 0) this.recordWeights(0, (interval) => interval !== 'never', null);
  }

  onGradients(context: StepContext): void {
    this.held(() => {
      const step = this.stepOffset + context.step;
      const every = this.intervals;
      // One clock reading per step: every record of a step carries the same wall time.
      const wallTime = nowSeconds();
      if (isDue(every.loss, step, context)) {
        this.sink.scalar(tags.LOSS_TAG, context.loss, step, wallTime);
      }
      if (isDue(every.norms, step, context)) this.recordGradientNorms(step, context, wallTime);
      if (isDue(every.signals, step, context)) this.recordSignals(step, wallTime);
      if (isDue(every.activations, step, context)) this.recordActivations(step, wallTime);
      if (isDue(every.histograms, step, context)) this.recordBatchHistograms(step);
    });
  }

  onBatchEnd(context: BatchEndContext): void {
    this.held(() => {
      const step = this.stepOffset + context.step;
      const wallTime = nowSeconds();
      if (isDue(this.intervals.norms, step, context)) {
        this.recordGlobalNorms(step, context, wallTime);
      }
      const due = (interval: Interval) => isDue(interval, step + 1, context);
      this.recordWeights(step + 1, due, context.update, wallTime);
    });
  }

  /**
   * Runs `record` with the sink holding its records, so that a callback's records are written
   * together; flushed even when `record` throws, so that nothing recorded before is lost.
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
    return this.normKind === 'squared' ? squares : Math.sqrt(squares);
  }

  /** From the step's gradient measurement, the one the clipper reads. */
  private recordGradientNorms(step: number, context: StepContext, wallTime: number): void {
    const { gradients } = context;
    // The measurement lists the model's trainable variables in the order kept here; reading by
    // index spares a lookup per variable, and any other list is read by reference.
    const sameOrder = gradients.variables.length === this.variables.length;
    let nonFinite = 0;
    for (let k = 0; k < this.variables.length; k++) {
      const { variable, probed, tags: t } = this.variables[k];
      const squares =
        sameOrder && gradients.variables[k] === variable
          ? gradients.squaresAt(k)
          : gradients.squaresOf(variable);
      nonFinite += countNonFiniteGiven(variable.trainableGrad.data, squares);
      if (probed) this.sink.scalar(t.gradNorm, this.shown(squares), step, wallTime);
    }
    const lossNonFinite = Number.isFinite(context.loss) ? 0 : 1;
    this.sink.scalar(tags.NONFINITE_LOSS_TAG, lossNonFinite, step, wallTime);
    this.sink.scalar(tags.NONFINITE_GRADIENTS_TAG, nonFinite, step, wallTime);
  }

  /** Before and after the clipper; without one, both are the step's measured global norm. */
  private recordGlobalNorms(step: number, context: BatchEndContext, wallTime: number): void {
    const { clip } = context.update;
    const measured = context.gradients.total;
    const sink = this.sink;
    sink.scalar(tags.GLOBAL_NORM_BEFORE_CLIP_TAG, clip?.normBefore ?? measured, step, wallTime);
    sink.scalar(tags.GLOBAL_NORM_AFTER_CLIP_TAG, clip?.normAfter ?? measured, step, wallTime);
  }

  private recordSignals(step: number, wallTime: number): void {
    const { signals, signalLayers } = this;
    signals.length = 0;
    signalLayers.length = 0;
    for (const probed of this.layers) {
      const signal = probed.layer.outputGrad;
      if (signal) {
        signals.push(signal);
        signalLayers.push(probed);
      }
    }
    sumsOfSquares(signals, this.signalSquares);
    for (let k = 0; k < signals.length; k++) {
      const shown = this.shown(this.signalSquares[k]);
      this.sink.scalar(signalLayers[k].tags.signalNorm, shown, step, wallTime);
    }
  }

  private recordActivations(step: number, wallTime: number): void {
    for (const { layer, activation, tags: t } of this.layers) {
      const output = layer.output;
      if (!output) continue;
      const a = output.data;
      const { mean, std } = stats.meanAndStd(a);
      this.sink.scalar(t.activationMean, mean, step, wallTime);
      this.sink.scalar(t.activationStd, std, step, wallTime);
      if (activation === 'sigmoid' || activation === 'tanh') {
        const saturated = stats.saturatedFraction(a, activation);
        this.sink.scalar(t.saturatedFraction, saturated, step, wallTime);
      } else if (activation === 'relu') {
        const units = output.shape[output.shape.length - 1];
        this.sink.scalar(t.deadFraction, stats.deadFraction(a, units), step, wallTime);
      }
    }
  }

  private recordBatchHistograms(step: number): void {
    const options = { bucketCount: this.bucketCount };
    for (const { variable, probed, tags: t } of this.variables) {
      if (probed)
        this.sink.histogram(t.gradientsHistogram, variable.trainableGrad.data, step, options);
    }
    for (const { layer, tags: t } of this.layers) {
      if (layer.output)
        this.sink.histogram(t.activationsHistogram, layer.output.data, step, options);
    }
  }

  /**
   * Weight-side records at `step` (after `step` updates), for the groups `due` selects; `update`
   * is the report of the update that led there (null for the initial weights).
   */
  private recordWeights(
    step: number,
    due: (interval: Interval) => boolean,
    update: UpdateReport | null,
    wallTime = nowSeconds(),
  ): void {
    const norms = due(this.intervals.norms);
    const updates = due(this.intervals.updates);
    const histograms = due(this.intervals.histograms);
    const squares = this.weightSquares;
    // Every weight in one call: the norms and the non-finite count need them all, and the update
    // ratios nearly all (the probed layers'); one pass costs less than picking.
    if (norms || updates) sumsOfSquares(this.weights, squares);
    let nonFinite = 0;
    for (let k = 0; k < this.variables.length; k++) {
      const { variable, probed, tags: t } = this.variables[k];
      const w = variable.value.data;
      if (norms || (updates && probed)) {
        nonFinite += countNonFiniteGiven(w, squares[k]);
        if (probed && norms) this.sink.scalar(t.weightNorm, this.shown(squares[k]), step, wallTime);
        const delta = probed && updates ? update?.updateNorms.get(variable) : undefined;
        if (delta !== undefined) {
          this.sink.scalar(t.updateRatio, delta / Math.sqrt(squares[k]), step, wallTime);
        }
      }
      if (probed && histograms) {
        this.sink.histogram(t.weightsHistogram, w, step, { bucketCount: this.bucketCount });
      }
    }
    if (norms) this.sink.scalar(tags.NONFINITE_WEIGHTS_TAG, nonFinite, step, wallTime);
    if (due(this.intervals.elements)) {
      for (const { tag, resolved } of this.elements) {
        this.sink.scalar(tag, resolved.variable.value.data[resolved.offset], step, wallTime);
      }
    }
  }
}
