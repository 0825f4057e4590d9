/**
 * The tag scheme of probe records: `<quantity>/<layer>` or `<quantity>/<layer>/<weight>`, with
 * Keras names (`dense_1`, `dense_1/kernel`), so TensorBoard groups each quantity in one section.
 *
 * Steps. A record's step is the number of optimizer updates applied to the weights it describes.
 * Batch step s (0-based) computes loss, activations and gradients at the weights after s updates
 * and records them at s; the update it applies gives the weights after s + 1 updates, so
 * weight-side values are recorded at s + 1, and the initial weights at 0 when training starts.
 * Where a later `fit` continues with the same optimizer, steps continue from its iteration count.
 *
 * | tag                                   | value                                       | step  |
 * |---------------------------------------|---------------------------------------------|-------|
 * | `loss`                                | mean loss of the batch                      | s     |
 * | `grad_norm/dense_1/kernel`            | ‖∂L/∂W‖ = √Σg², before clipping             | s     |
 * | `weight_norm/dense_1/kernel`          | ‖W‖ after the update                        | s + 1 |
 * | `update_ratio/dense_1/kernel`         | ‖ΔW‖/‖W‖, W after the update                | s + 1 |
 * | `signal_norm/dense_1`                 | ‖∂L/∂a‖ at the layer's output               | s     |
 * | `activation_mean/dense_1`             | mean of the output over batch and units     | s     |
 * | `activation_std/dense_1`              | population std (ddof 0) of the same         | s     |
 * | `saturated_fraction/dense_1`          | sigmoid/tanh layers: share of saturated a   | s     |
 * | `dead_fraction/dense_1`               | relu layers: share of units 0 on the batch  | s     |
 * | `nonfinite/loss`                      | 1 when the batch loss is NaN/±Infinity      | s     |
 * | `nonfinite/gradients`                 | number of non-finite gradient elements      | s     |
 * | `nonfinite/weights`                   | number of non-finite weight elements        | s + 1 |
 * | `global_norm/before_clip`             | √Σg² over every trainable gradient          | s     |
 * | `global_norm/after_clip`              | the same after the clipper (equal without)  | s     |
 * | `element/dense_1/kernel[0,0]`         | one weight element                          | s + 1 |
 * | histogram `weights/dense_1/kernel`    | the weight values after the update          | s + 1 |
 * | histogram `gradients/dense_1/kernel`  | the gradient values, before clipping        | s     |
 * | histogram `activations/dense_1`       | the layer's output values                   | s     |
 *
 * Through time (recorders/through-time.ts), for layers that declare time signals. Here the
 * record's step is the time step t = 1 … T of the sequence, and the training step s is part of
 * the tag, so each recorded training step gives one curve through time:
 *
 * | tag                                   | value                                       | step  |
 * |---------------------------------------|---------------------------------------------|-------|
 * | `through_time/simple_rnn_1/step_<s>`  | ‖∂L/∂h_t‖, L2 over batch × units            | t     |
 * | `through_time_cell/lstm_1/step_<s>`   | ‖∂L/∂c_t‖ of a layer with a cell state      | t     |
 *
 * With `normKind: 'squared'`, the per-layer norms are Σx² instead of √Σx² and their quantity
 * names end in `_sq` (`grad_norm_sq/…`, `weight_norm_sq/…`, `signal_norm_sq/…`), so the two
 * never share a chart. The global norms and the update ratio are always L2.
 */

/** How per-layer norms are shown: the L2 norm √Σx², or Σx² (the article's "L2 norm"). */
export type NormKind = 'l2' | 'squared';

export const LOSS_TAG = 'loss';
export const NONFINITE_LOSS_TAG = 'nonfinite/loss';
export const NONFINITE_GRADIENTS_TAG = 'nonfinite/gradients';
export const NONFINITE_WEIGHTS_TAG = 'nonfinite/weights';
export const GLOBAL_NORM_BEFORE_CLIP_TAG = 'global_norm/before_clip';
export const GLOBAL_NORM_AFTER_CLIP_TAG = 'global_norm/after_clip';

function normQuantity(quantity: string, kind: NormKind): string {
  return kind === 'squared' ? `${quantity}_sq` : quantity;
}

/** `grad_norm/<variable>`; `variable` is a full name such as `dense_1/kernel`. */
export function gradNormTag(variable: string, kind: NormKind = 'l2'): string {
  return `${normQuantity('grad_norm', kind)}/${variable}`;
}

export function weightNormTag(variable: string, kind: NormKind = 'l2'): string {
  return `${normQuantity('weight_norm', kind)}/${variable}`;
}

export function signalNormTag(layer: string, kind: NormKind = 'l2'): string {
  return `${normQuantity('signal_norm', kind)}/${layer}`;
}

export function updateRatioTag(variable: string): string {
  return `update_ratio/${variable}`;
}

export function activationMeanTag(layer: string): string {
  return `activation_mean/${layer}`;
}

export function activationStdTag(layer: string): string {
  return `activation_std/${layer}`;
}

export function saturatedFractionTag(layer: string): string {
  return `saturated_fraction/${layer}`;
}

export function deadFractionTag(layer: string): string {
  return `dead_fraction/${layer}`;
}

/** `element/<selector>`, e.g. `element/dense_1/kernel[0,0]` (selector written canonically). */
export function elementTag(selector: string): string {
  return `element/${selector}`;
}

export function weightsHistogramTag(variable: string): string {
  return `weights/${variable}`;
}

export function gradientsHistogramTag(variable: string): string {
  return `gradients/${variable}`;
}

export function activationsHistogramTag(layer: string): string {
  return `activations/${layer}`;
}

/**
 * `through_time/<layer>/step_<s>` for ∂L/∂h_t (state 'hidden'), `through_time_cell/<layer>/step_<s>`
 * for ∂L/∂c_t (state 'cell'), at training step s.
 */
export function throughTimeTag(
  layer: string,
  trainingStep: number,
  state: 'hidden' | 'cell' = 'hidden',
): string {
  const quantity = state === 'cell' ? 'through_time_cell' : 'through_time';
  return `${quantity}/${layer}/step_${trainingStep}`;
}

/** What a through-time tag names: the layer (null when the tag names none), state and step. */
export interface ThroughTimeTag {
  layer: string | null;
  state: 'hidden' | 'cell';
  trainingStep: number;
}

const THROUGH_TIME_TAG = /^through_time(_cell)?\/(?:(.+)\/)?step_(\d+)$/;

/**
 * The parts of a `throughTimeTag` (also `through_time/step_<s>`, without a layer, as another
 * writer may log a model's only recurrent layer); undefined for any other tag.
 */
export function parseThroughTimeTag(tag: string): ThroughTimeTag | undefined {
  const match = THROUGH_TIME_TAG.exec(tag);
  if (match === null) return undefined;
  return {
    layer: match[2] ?? null,
    state: match[1] === undefined ? 'hidden' : 'cell',
    trainingStep: Number(match[3]),
  };
}

/** Every tag of one variable, built once per training run rather than per step. */
export interface VariableTags {
  gradNorm: string;
  weightNorm: string;
  updateRatio: string;
  weightsHistogram: string;
  gradientsHistogram: string;
}

export function variableTags(variable: string, kind: NormKind): VariableTags {
  return {
    gradNorm: gradNormTag(variable, kind),
    weightNorm: weightNormTag(variable, kind),
    updateRatio: updateRatioTag(variable),
    weightsHistogram: weightsHistogramTag(variable),
    gradientsHistogram: gradientsHistogramTag(variable),
  };
}

/** Every tag of one layer. */
export interface LayerTags {
  signalNorm: string;
  activationMean: string;
  activationStd: string;
  saturatedFraction: string;
  deadFraction: string;
  activationsHistogram: string;
}

export function layerTags(layer: string, kind: NormKind): LayerTags {
  return {
    signalNorm: signalNormTag(layer, kind),
    activationMean: activationMeanTag(layer),
    activationStd: activationStdTag(layer),
    saturatedFraction: saturatedFractionTag(layer),
    deadFraction: deadFractionTag(layer),
    activationsHistogram: activationsHistogramTag(layer),
  };
}
