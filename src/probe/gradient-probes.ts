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
import { countNonFiniteGiven, sumOfSquares } from '../engine/norms.js';
import type { UpdateReport } from '../engine/optimizers/optimizer.js';
import * as stats from './activation-stats.js';
import { isDue, resolveIntervals } from './intervals.js';
import type { Interval, ProbeGroup, ProbeIntervals } from './intervals.js';
import { parseElementSelector, resolveElement } from './selectors.js';
import type { ElementSelector, ResolvedElement } from './selectors.js';
import type { RecordSink } from './sink.js';
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
    this.elements = this.selectors.map((selector) => ({
      tag: tags.elementTag(selector.text),
      resolved: resolveElement(selector, model.variables),
    }));
    this.stepOffset = model.optimizer.iterations;
    if (this.stepOffset === 0) this.recordWeights(0, (interval) => interval !== 'never', null);
  }

  onGradients(context: StepContext): void {
    const step = this.stepOffset + context.step;
    const due = (group: ProbeGroup): boolean => isDue(this.intervals[group], step, context);
    if (due('loss')) this.sink.scalar(tags.LOSS_TAG, context.loss, step);
    if (due('norms')) this.recordGradientNorms(step, context);
    if (due('signals')) this.recordSignals(step);
    if (due('activations')) this.recordActivations(step);
    if (due('histograms')) this.recordBatchHistograms(step);
  }

  onBatchEnd(context: BatchEndContext): void {
    const step = this.stepOffset + context.step;
    if (isDue(this.intervals.norms, step, context)) this.recordGlobalNorms(step, context);
    const due = (interval: Interval) => isDue(interval, step + 1, context);
    this.recordWeights(step + 1, due, context.update);
  }

  private selectLayers(model: Model): Layer[] {
    if (!this.layerNames) return model.layers.filter((layer) => !layer.passThrough);
    return this.layerNames.map((name) => {
      const layer = model.layers.find((l) => l.name === name);
      if (!layer) {
        throw new ValueError(
          `GradientProbes: no layer '${name}' in ${model.name}. ` +
            `Expected one of: ${model.layers.map((l) => l.name).join(', ')}`,
        );
      }
      return layer;
    });
  }

  /** The per-layer norm as shown, from Σx². */
  private shown(squares: number): number {
    return this.normKind === 'squared' ? squares : Math.sqrt(squares);
  }

  /** From the step's gradient measurement, the one the clipper reads. */
  private recordGradientNorms(step: number, context: StepContext): void {
    let nonFinite = 0;
    for (const { variable, probed, tags: t } of this.variables) {
      const squares = context.gradients.squaresOf(variable);
      nonFinite += countNonFiniteGiven(variable.trainableGrad.data, squares);
      if (probed) this.sink.scalar(t.gradNorm, this.shown(squares), step);
    }
    this.sink.scalar(tags.NONFINITE_LOSS_TAG, Number.isFinite(context.loss) ? 0 : 1, step);
    this.sink.scalar(tags.NONFINITE_GRADIENTS_TAG, nonFinite, step);
  }

  /** Before and after the clipper; without one, both are the step's measured global norm. */
  private recordGlobalNorms(step: number, context: BatchEndContext): void {
    const { clip } = context.update;
    const measured = context.gradients.total;
    this.sink.scalar(tags.GLOBAL_NORM_BEFORE_CLIP_TAG, clip?.normBefore ?? measured, step);
    this.sink.scalar(tags.GLOBAL_NORM_AFTER_CLIP_TAG, clip?.normAfter ?? measured, step);
  }

  private recordSignals(step: number): void {
    for (const { layer, tags: t } of this.layers) {
      const signal = layer.outputGrad;
      if (signal) this.sink.scalar(t.signalNorm, this.shown(sumOfSquares(signal)), step);
    }
  }

  private recordActivations(step: number): void {
    for (const { layer, activation, tags: t } of this.layers) {
      const output = layer.output;
      if (!output) continue;
      const a = output.data;
      const { mean, std } = stats.meanAndStd(a);
      this.sink.scalar(t.activationMean, mean, step);
      this.sink.scalar(t.activationStd, std, step);
      if (activation === 'sigmoid' || activation === 'tanh') {
        this.sink.scalar(t.saturatedFraction, stats.saturatedFraction(a, activation), step);
      } else if (activation === 'relu') {
        const units = output.shape[output.shape.length - 1];
        this.sink.scalar(t.deadFraction, stats.deadFraction(a, units), step);
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
  ): void {
    const norms = due(this.intervals.norms);
    const updates = due(this.intervals.updates);
    const histograms = due(this.intervals.histograms);
    let nonFinite = 0;
    for (const { variable, probed, tags: t } of this.variables) {
      const w = variable.value.data;
      if (norms || (updates && probed)) {
        const squares = sumOfSquares(variable.value);
        nonFinite += countNonFiniteGiven(w, squares);
        if (probed && norms) this.sink.scalar(t.weightNorm, this.shown(squares), step);
        const delta = probed && updates ? update?.updateNorms.get(variable) : undefined;
        if (delta !== undefined) this.sink.scalar(t.updateRatio, delta / Math.sqrt(squares), step);
      }
      if (probed && histograms) {
        this.sink.histogram(t.weightsHistogram, w, step, { bucketCount: this.bucketCount });
      }
    }
    if (norms) this.sink.scalar(tags.NONFINITE_WEIGHTS_TAG, nonFinite, step);
    if (due(this.intervals.elements)) {
      for (const { tag, resolved } of this.elements) {
        this.sink.scalar(tag, resolved.variable.value.data[resolved.offset], step);
      }
    }
  }
}
