/** Optimizers, and the registry that resolves them by Keras name. */
import { lookup } from '../errors.js';
import { Adam } from './adam.js';
import type { AdamArgs } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import type { RMSpropArgs } from './rmsprop.js';
import { SGD } from './sgd.js';
import type { SGDArgs } from './sgd.js';

export { Optimizer, DEFAULT_LEARNING_RATE } from './optimizer.js';
export type { ClipReport, GradientClipper, OptimizerArgs, UpdateReport } from './optimizer.js';
export { Adam, RMSprop, SGD };
export type { AdamArgs, RMSpropArgs, SGDArgs };

export type OptimizerName = 'sgd' | 'adam' | 'rmsprop';
export type AnyOptimizerArgs = SGDArgs & AdamArgs & RMSpropArgs;

const optimizers: Readonly<Record<OptimizerName, (args: AnyOptimizerArgs) => Optimizer>> = {
  sgd: (args) => new SGD(args),
  adam: (args) => new Adam(args),
  rmsprop: (args) => new RMSprop(args),
};

export const OPTIMIZER_NAMES = Object.keys(optimizers) as OptimizerName[];

export function getOptimizer(name: string, args: AnyOptimizerArgs = {}): Optimizer {
  return lookup(optimizers, name.toLowerCase(), 'optimizer')(args);
}
