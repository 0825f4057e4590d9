/**
 * The through-time profile of a recurrent layer, as a training callback: at chosen training
 * steps s it records ‖∂L/∂h_t‖ (L2 over batch × units) for t = 1 … T from the layer's
 * `hiddenGrads`, and for layers that keep them (LSTM) ‖∂L/∂c_t‖ from `cellGrads`.
 *
 * | tag                                | value                 | record step |
 * |------------------------------------|-----------------------|-------------|
 * | `through_time/<layer>/step_<s>`      | ‖∂L/∂h_t‖ at step s   | t = 1 … T   |
 * | `through_time_cell/<layer>/step_<s>` | ‖∂L/∂c_t‖ at step s   | t = 1 … T   |
 *
 * The scheme is shared with the generic through-time probe planned for src/probe, which is to
 * replace this recorder.
 */
import type { Callback, StepContext } from '../../engine/callbacks.js';
import { ValueError } from '../../engine/errors.js';
import type { Layer } from '../../engine/layers/layer.js';
import { l2Norm } from '../../engine/norms.js';
import type { Tensor } from '../../engine/tensor.js';
import type { RecordSink } from '../../probe/sink.js';

export function throughTimeTag(layer: string, step: number): string {
  return `through_time/${layer}/step_${step}`;
}

export function throughTimeCellTag(layer: string, step: number): string {
  return `through_time_cell/${layer}/step_${step}`;
}

/** What the recorder reads: a layer that keeps ∂L/∂h_t, and maybe ∂L/∂c_t, for every t. */
interface ThroughTimeLayer {
  readonly name: string | undefined;
  readonly hiddenGrads: Tensor | null;
  readonly cellGrads?: Tensor | null;
}

function isThroughTimeLayer(layer: Layer): layer is Layer & ThroughTimeLayer {
  return 'hiddenGrads' in layer;
}

/** ‖slab t‖ for each t of a (timesteps, …) tensor. */
export function stepNorms(grads: Tensor): number[] {
  return Array.from({ length: grads.shape[0] }, (_, t) => l2Norm(grads.slab(t)));
}

export function throughTimeRecorder(
  layer: Layer,
  sink: RecordSink,
  steps: readonly number[],
): Callback {
  if (!isThroughTimeLayer(layer)) {
    throw new ValueError(
      `throughTimeRecorder: ${layer.name} keeps no hiddenGrads. Expected a recurrent layer`,
    );
  }
  const wanted = new Set(steps);
  const record = (grads: Tensor | null | undefined, tag: string) => {
    if (grads) stepNorms(grads).forEach((norm, t) => sink.scalar(tag, norm, t + 1));
  };
  return {
    onGradients(context: StepContext) {
      if (!wanted.has(context.step)) return;
      record(layer.hiddenGrads, throughTimeTag(layer.name!, context.step));
      record(layer.cellGrads, throughTimeCellTag(layer.name!, context.step));
    },
  };
}
