/**
 * ThroughTimeProbe: the gradient through time of every layer that declares time signals
 * (layer.ts's contract: `timeSignals`, ∂L/∂h_t of a recurrent layer, and ∂L/∂c_t of one with a
 * cell state). At each chosen training step s it records ‖∂L/∂state_t‖ (L2 over batch × units)
 * for t = 1 … T under `through_time/<layer>/step_<s>` (`through_time_cell/…` for a cell state),
 * with the time step t as the record's step, so TensorBoard draws one curve through time per
 * training step (tags.ts). It reads the buffers backward left, in place, after the gradients are
 * computed and before the optimizer's clipper touches anything: nothing is recomputed.
 *
 *   model.fit(data, { callbacks: [new ThroughTimeProbe({ sink: writer, at: [0, 100] })] });
 */
import type { Callback, StepContext } from '../../engine/callbacks.js';
import { ValueError } from '../../engine/errors.js';
import type { Layer } from '../../engine/layers/layer.js';
import type { Model } from '../../engine/model.js';
import { l2Norm } from '../../engine/norms.js';
import type { RecordSink } from '../sink.js';
import { throughTimeTag } from '../tags.js';

export interface ThroughTimeProbeArgs {
  /** Where records go (a RunWriter, a MemoryProvider run, a TeeSink). Required. */
  sink: RecordSink;
  /**
   * The training steps s (0-based optimizer steps) to record at: every `at` steps from 0 when a
   * number, or exactly the steps listed. Defaults to every 100 steps.
   */
  at?: number | readonly number[];
  /** Layers to record, by name. Defaults to every layer that declares time signals. */
  layers?: string[];
}

/** Steps between records when `at` is not given: one curve through time per 100 updates. */
export const DEFAULT_THROUGH_TIME_EVERY = 100;

export class ThroughTimeProbe implements Callback {
  readonly sink: RecordSink;
  private readonly isDue: (step: number) => boolean;
  private readonly layerNames: readonly string[] | null;
  private layers: readonly Layer[] = [];
  /** Optimizer steps taken before this `fit`: training steps continue from there. */
  private stepOffset = 0;

  constructor(args: ThroughTimeProbeArgs) {
    this.sink = args.sink;
    this.isDue = dueSteps(args.at ?? DEFAULT_THROUGH_TIME_EVERY);
    this.layerNames = args.layers ? [...args.layers] : null;
  }

  onTrainBegin(model: Model): void {
    if (!model.optimizer) throw new ValueError(`ThroughTimeProbe: ${model.name} is not compiled`);
    this.stepOffset = model.optimizer.iterations;
    this.layers = this.layerNames
      ? this.layerNames.map((name) => namedLayer(model, name))
      : model.layers;
  }

  onGradients(context: StepContext): void {
    const step = this.stepOffset + context.step;
    if (!this.isDue(step)) return;
    for (const layer of this.layers) {
      for (const { state, grads } of layer.timeSignals) {
        const tag = throughTimeTag(layer.name!, step, state);
        for (let t = 0; t < grads.shape[0]; t++)
          this.sink.scalar(tag, l2Norm(grads.slab(t)), t + 1);
      }
    }
  }
}

function dueSteps(at: number | readonly number[]): (step: number) => boolean {
  if (typeof at === 'number') {
    if (!(Number.isInteger(at) && at > 0)) {
      throw new ValueError(
        `ThroughTimeProbe: at must be a positive integer or a list of steps. Received: at=${at}`,
      );
    }
    return (step) => step % at === 0;
  }
  const bad = at.find((step) => !(Number.isInteger(step) && step >= 0));
  if (bad !== undefined) {
    throw new ValueError(
      `ThroughTimeProbe: at must list non-negative integer steps. Received: ${bad} in [${at.join(', ')}]`,
    );
  }
  const steps = new Set(at);
  return (step) => steps.has(step);
}

function namedLayer(model: Model, name: string): Layer {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    throw new ValueError(
      `ThroughTimeProbe: no layer '${name}' in ${model.name}. ` +
        `Expected one of: ${model.layers.map((l) => l.name).join(', ')}`,
    );
  }
  return layer;
}
