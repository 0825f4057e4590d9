/**
 * What a model is to the code around it (callbacks, the summary table, weights I/O): its name,
 * layers, variables and optimizer. `Sequential` implements it; those modules import this
 * interface rather than the class, so none of them depends on the training loop.
 */
import type { Layer } from './layers/layer.js';
import type { Variable } from './layers/variable.js';
import type { Optimizer } from './optimizers/optimizer.js';
import type { Shape } from './tensor.js';

export interface Model {
  readonly name: string;
  readonly layers: readonly Layer[];
  /** Every variable, trainable or not, in layer order. */
  readonly variables: readonly Variable[];
  readonly trainableVariables: readonly Variable[];
  readonly optimizer: Optimizer | null;
  /** The layer called `name`; throws naming the layers there are. */
  layer(name: string): Layer;
  /** Set by a callback to end `fit` after the current batch (Keras' stop_training). */
  stopTraining: boolean;
  /** Creates every layer's weights, from `inputShape` or the first layer's declared shape. */
  build(inputShape?: Shape): Model;
}
