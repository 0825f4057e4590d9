/**
 * The optimizer base: keeps the step count and one set of slot arrays per variable (momentum,
 * moment estimates), and applies `update` to each trainable variable in place.
 */
import { ValueError } from '../errors.js';
import type { Variable } from '../layers/variable.js';
import { GradientNorms, sumsOfSquares } from '../norms.js';
import { Tensor } from '../tensor.js';
import type { WeightSquares } from '../kernels/adam.js';
import { ByVariable } from './by-variable.js';

/** Keras' default learning rate for Adam and RMSprop. */
export const DEFAULT_LEARNING_RATE = 0.001;

export interface OptimizerArgs {
  /** Step size. Defaults to 0.001 (SGD: 0.01). */
  learningRate?: number;
  /** Rewrites the gradients before each step (clipping). Defaults to none. */
  clipper?: GradientClipper | null;
}

/** What a clipper did to one step's gradients. */
export interface ClipReport {
  /** Global L2 norm √Σg² over all trainable gradients before clipping. */
  normBefore: number;
  /** The same norm after clipping. */
  normAfter: number;
}

/** A gradient transform applied by the optimizer before its update (Keras' clipnorm & co.). */
export interface GradientClipper {
  /**
   * Modifies the measured variables' gradients in place, given the step's measurement (it never
   * measures again), and reports the global norm before and after.
   */
  clip(gradients: GradientNorms): ClipReport;
}

/** What one `apply` did: the clipper's report and the size of each update. */
export interface UpdateReport {
  /** The clipper's report, or null without a clipper. */
  readonly clip: ClipReport | null;
  /** ‖Δw‖ of each updated variable; empty when `apply` was asked not to measure them. */
  readonly updateNorms: ReadonlyMap<Variable, number>;
  /**
   * Σw² of each updated variable's new weights: taken as the update wrote them where it did
   * (Adam's, kernels/adam.ts), else measured once after the update; empty when
   * `apply` was not asked for them.
   */
  readonly weightSquares: ReadonlyMap<Variable, number>;
}

export abstract class Optimizer {
  abstract readonly name: string;
  readonly learningRate: number;
  /** Number of `apply` calls so far; Adam's bias correction uses it as t. */
  iterations = 0;
  readonly clipper: GradientClipper | null;
  private readonly slots = new Map<Variable, Tensor[]>();
  /** Where each `update` asked for Σw² puts it. */
  private readonly weights: WeightSquares = { value: undefined };

  constructor(args: OptimizerArgs, defaultLearningRate = DEFAULT_LEARNING_RATE) {
    this.learningRate = args.learningRate ?? defaultLearningRate;
    this.clipper = args.clipper ?? null;
    if (!(this.learningRate > 0) || !Number.isFinite(this.learningRate)) {
      throw new ValueError(
        `${new.target.name}: learningRate must be a positive finite number. ` +
          `Received: learningRate=${args.learningRate}`,
      );
    }
  }

  /** Number of per-element state arrays the update keeps per variable. */
  protected abstract readonly slotCount: number;

  /**
   * w ← update(w, g, slots) for one variable, in place; t is the 1-based step. With `measure`,
   * returns ‖Δw‖², summed in the same loop, so probes get the update size without a copy of w
   * (without, any number: it is not read); with `weights`, it may put Σw² of the new weights
   * there, summed in the same loop (else `apply` measures them after it). Slots live on the
   * heap beside the weights, so SIMD kernels can update them in place.
   */
  protected abstract update(
    w: Tensor,
    g: Tensor,
    slots: Tensor[],
    t: number,
    measure: boolean,
    weights: WeightSquares | null,
  ): number;

  /**
   * Clips (with a clipper), then applies one step to every trainable variable, using its
   * gradient. `gradients` is the step's measurement of exactly those variables (the model passes
   * the one its callbacks read); without it, the trainable ones are measured here, if needed.
   * `measureUpdates` (defaults to true) asks for ‖Δw‖ of each variable in the report, and
   * `measureWeights` (defaults to false) for Σw² of its new weights: the model asks only at
   * steps whose callbacks read them (StepMeasures.updates, StepMeasures.weights).
   */
  apply(
    variables: readonly Variable[],
    gradients = new GradientNorms(variables.filter((v) => v.trainable)),
    measureUpdates = true,
    measureWeights = false,
  ): UpdateReport {
    this.iterations++;
    const clip = this.clipper ? this.clipper.clip(gradients) : null;
    const updateNorms = new ByVariable();
    const weights = measureWeights ? this.weights : null;
    const updated: Variable[] = [];
    const taken: (number | undefined)[] = [];
    for (const variable of variables) {
      if (!variable.grad) continue;
      const slots = this.slotsOf(variable);
      const t = this.iterations;
      if (weights) weights.value = undefined;
      const squared = this.update(variable.value, variable.grad, slots, t, measureUpdates, weights);
      if (measureUpdates) updateNorms.add(variable, Math.sqrt(squared));
      if (weights) {
        updated.push(variable);
        taken.push(weights.value);
      }
    }
    const weightSquares = measureWeights ? completed(updated, taken) : new ByVariable();
    return { clip, updateNorms, weightSquares };
  }

  /** The config, for summaries and run metadata. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, learningRate: this.learningRate };
  }

  private slotsOf(variable: Variable): Tensor[] {
    let slots = this.slots.get(variable);
    if (!slots) {
      slots = Array.from({ length: this.slotCount }, () => Tensor.zeros(variable.shape));
      this.slots.set(variable, slots);
    }
    return slots;
  }
}

/**
 * Σw² of each of `variables` in update order: `taken[k]` where the update took it (Adam's
 * native one), the others measured in one SIMD pass here, so that every reader of the step
 * shares one measurement.
 */
function completed(variables: Variable[], taken: (number | undefined)[]): ByVariable {
  const missing: Tensor[] = [];
  for (let k = 0; k < variables.length; k++) {
    if (taken[k] === undefined) missing.push(variables[k].value);
  }
  // Nothing to measure where the update took every Σw² (Adam's native one, each measured step).
  const measured = missing.length > 0 ? new Float64Array(missing.length) : null;
  if (measured !== null) sumsOfSquares(missing, measured);
  const squares = new ByVariable();
  let next = 0;
  for (let k = 0; k < variables.length; k++) {
    squares.add(variables[k], taken[k] ?? measured![next++]);
  }
  return squares;
}
