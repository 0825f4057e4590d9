/**
 * The article's Fashion-MNIST model: Flatten → 3×Dense(32) → BatchNormalization → 3×Dense(32)
 * → Dropout(0.25) → Dense(10, softmax), every hidden Dense with the same activation, trained
 * with sparse categorical cross-entropy on class indices.
 */
import type { ActivationName } from '../../engine/activations.js';
import type { ClippingArgs } from '../../engine/clipping.js';
import { BatchNormalization, Dense, Dropout, Flatten } from '../../engine/layers/index.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { Sequential } from '../../engine/sequential.js';
import { makeOptimizer } from '../training-flags.js';

export const FASHION_HIDDEN_UNITS = 32;
export const FASHION_DROPOUT_RATE = 0.25;

export interface FashionModelArgs {
  /** Activation of every hidden Dense layer. Required. */
  activation: ActivationName;
  /** Defaults to 0. */
  seed?: number;
  /** Defaults to 'adam'. */
  optimizer?: OptimizerName;
  /** Defaults to the optimizer's Keras default. */
  learningRate?: number;
  /** Defaults to no clipping. */
  clipping?: ClippingArgs;
  /** Units of every hidden Dense layer. Defaults to 32, the article's (the bench varies it). */
  units?: number;
  /** Defaults to `fashion_<activation>`. */
  name?: string;
}

export function buildFashionModel(args: FashionModelArgs): Sequential {
  const units = args.units ?? FASHION_HIDDEN_UNITS;
  const dense = () => new Dense({ units, activation: args.activation });
  const model = new Sequential({
    name: args.name ?? `fashion_${args.activation}`,
    seed: args.seed ?? 0,
    layers: [
      new Flatten({ inputShape: [28, 28] }),
      dense(),
      dense(),
      dense(),
      new BatchNormalization(),
      dense(),
      dense(),
      dense(),
      new Dropout({ rate: FASHION_DROPOUT_RATE }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const optimizer = makeOptimizer({ ...args, optimizer: args.optimizer ?? 'adam' });
  return model.compile({ optimizer, loss: 'sparse_categorical_crossentropy' });
}
