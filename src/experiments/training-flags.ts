/** Flags shared by the experiments that train a model, and their translation to engine args. */
import { numberFlag, type FlagSpec, type FlagValues } from './flags.js';
import { ACTIVATION_NAMES } from '../engine/activations.js';
import { makeClipper, resolveClipping } from '../engine/clipping.js';
import type { ClippingArgs } from '../engine/clipping.js';
import { getOptimizer, OPTIMIZER_NAMES } from '../engine/optimizers/index.js';
import type { Optimizer, OptimizerName } from '../engine/optimizers/index.js';

export const CLIPPING_FLAGS: readonly FlagSpec[] = [
  {
    name: 'clip-norm',
    kind: 'number',
    positive: true,
    description: "clip each gradient tensor's L2 norm (Keras clipnorm)",
  },
  {
    name: 'clip-global-norm',
    kind: 'number',
    positive: true,
    description: 'clip the global L2 norm of all gradients (PyTorch clip_grad_norm_)',
  },
  {
    name: 'clip-value',
    kind: 'number',
    positive: true,
    description: 'clip each gradient element to [-v, v] (Keras clipvalue)',
  },
  {
    name: 'clip-agc',
    kind: 'number',
    positive: true,
    description: 'adaptive gradient clipping factor λ (Brock et al. 2021)',
  },
];

/** The training flags with an experiment's defaults. */
export function trainingFlags(defaults: {
  epochs?: number;
  batchSize: number;
  optimizer: string;
  learningRate?: number;
  activation?: string;
}): FlagSpec[] {
  const flags: FlagSpec[] = [];
  if (defaults.epochs !== undefined) {
    flags.push({
      name: 'epochs',
      kind: 'integer',
      positive: true,
      default: defaults.epochs,
      description: 'training epochs',
    });
  }
  flags.push(
    {
      name: 'batch-size',
      kind: 'integer',
      positive: true,
      default: defaults.batchSize,
      description: 'samples per update',
    },
    {
      name: 'optimizer',
      kind: 'choice',
      choices: OPTIMIZER_NAMES,
      default: defaults.optimizer,
      description: 'optimizer',
    },
    {
      name: 'learning-rate',
      kind: 'number',
      positive: true,
      default: defaults.learningRate,
      description:
        defaults.learningRate === undefined
          ? "learning rate (default: the optimizer's Keras default)"
          : 'learning rate',
    },
    {
      name: 'activation',
      kind: 'choice',
      choices: ACTIVATION_NAMES.filter((name) => name !== 'softmax' && name !== 'linear'),
      default: defaults.activation,
      description: 'train only this hidden activation (default: sigmoid and relu)',
    },
    ...CLIPPING_FLAGS,
  );
  return flags;
}

/**
 * The clipping mode the flags ask for, or undefined for none. Validated here, before any data
 * loads or worker starts (two modes at once are a ValueError); `makeOptimizer` builds it.
 */
export function clippingFromFlags(flags: FlagValues): ClippingArgs | undefined {
  const args: ClippingArgs = {
    clipnorm: numberFlag(flags, 'clip-norm'),
    globalClipnorm: numberFlag(flags, 'clip-global-norm'),
    clipvalue: numberFlag(flags, 'clip-value'),
    agc: numberFlag(flags, 'clip-agc'),
  };
  return resolveClipping(args) === null ? undefined : args;
}

export interface OptimizerChoice {
  /** Required. */
  optimizer: OptimizerName;
  /** Defaults to the optimizer's Keras default. */
  learningRate?: number;
  /** Defaults to no clipping. */
  clipping?: ClippingArgs;
}

/** The one path from the training flags to an optimizer: its name, learning rate and clipper. */
export function makeOptimizer(choice: OptimizerChoice): Optimizer {
  const clipper = choice.clipping ? makeClipper(choice.clipping) : null;
  return getOptimizer(choice.optimizer, { learningRate: choice.learningRate, clipper });
}
