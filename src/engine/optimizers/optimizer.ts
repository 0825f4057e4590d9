/**
 * The optimizer base: keeps the step count and one set of slot arrays per variable (momentum,
 * moment estimates), and applies `update` to each trainable variable in place.
 */
import { ValueError } from '../errors.js';
import type { Variable } from '../layers/variable.js';

/** Keras' default learning rate for Adam and RMSprop. */
export const DEFAULT_LEARNING_RATE = 0.001;

export interface OptimizerArgs {
  /** Step size. Defaults to 0.001 (SGD: 0.01). */
  learningRate?: number;
}

export abstract class Optimizer {
  abstract readonly name: string;
  readonly learningRate: number;
  /** Number of `apply` calls so far; Adam's bias correction uses it as t. */
  iterations = 0;
  private readonly slots = new Map<Variable, Float32Array[]>();

  constructor(args: OptimizerArgs, defaultLearningRate = DEFAULT_LEARNING_RATE) {
    this.learningRate = args.learningRate ?? defaultLearningRate;
    if (!(this.learningRate > 0) || !Number.isFinite(this.learningRate)) {
      throw new ValueError(
        `${new.target.name}: learningRate must be a positive finite number. ` +
          `Received: learningRate=${args.learningRate}`,
      );
    }
  }

  /** Number of per-element state arrays the update keeps per variable. */
  protected abstract readonly slotCount: number;

  /** w ← update(w, g, slots) for one variable, in place; t is the 1-based step. */
  protected abstract update(w: Float32Array, g: Float32Array, slots: Float32Array[], t: number): void;

  /** Applies one step to every trainable variable, using the gradients they hold. */
  apply(variables: readonly Variable[]): void {
    this.iterations++;
    for (const variable of variables) {
      if (!variable.grad) continue;
      this.update(variable.value.data, variable.grad.data, this.slotsOf(variable), this.iterations);
    }
  }

  /** The config, for summaries and run metadata. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, learningRate: this.learningRate };
  }

  private slotsOf(variable: Variable): Float32Array[] {
    let slots = this.slots.get(variable);
    if (!slots) {
      slots = Array.from({ length: this.slotCount }, () => new Float32Array(variable.value.size));
      this.slots.set(variable, slots);
    }
    return slots;
  }
}
