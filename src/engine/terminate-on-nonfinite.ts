/**
 * TerminateOnNonFinite: Keras' TerminateOnNaN, with the place where it began. Stops `fit` at
 * the first step whose loss, backprop signal, gradient or updated weight holds NaN or Infinity,
 * and says which came first:
 *
 *   model.fit(data, { callbacks: [stopper] });
 *   if (stopper.divergence) console.error(stopper.divergence.message);
 *
 * It reads only the glass-box contract (layer.ts): the step's loss, each layer's output and
 * outputGrad, each variable's grad and value. The check per step is the step's gradient
 * measurement (the one probes and the clipper read, taken by backward when asked for, see
 * `measuresWanted`) and Σx² over every weight, which comes with the update's report (a sum is
 * non-finite exactly when an element is); only a non-finite sum starts the pass that finds the
 * first non-finite quantity, in the order the step computed them: the layers' outputs
 * bottom-up, the loss, then for each layer top-down its ∂L/∂a and its parameter gradients, then (after the update) the weights. As in Keras, the step
 * that went non-finite is finished (the optimizer applies it) and training stops after it.
 */
import type { BatchEndContext, Callback, StepContext } from './callbacks.js';
import { NO_MEASURES, type StepMeasures } from './measures.js';
import { sumOfSquares } from './norms.js';
import type { Sequential } from './sequential.js';
import type { Tensor } from './tensor.js';

/** The gradient norms, and Σw² of the weights after the update (its report's). */
const GRADIENTS_AND_WEIGHTS: StepMeasures = { ...NO_MEASURES, gradients: true, weights: true };

/** Where training first went non-finite. */
export interface Divergence {
  /** 0-based optimizer step. */
  step: number;
  /** 0-based epoch and batch within it. */
  epoch: number;
  batch: number;
  /** The layer it began at; undefined for the loss. */
  layer?: string;
  /** What held it: "the loss", "∂L/∂a at dense_2", "the gradient of dense_2/kernel", … */
  quantity: string;
  /** The loss of that step (may itself be non-finite). */
  loss: number;
  /** One sentence for the user. */
  message: string;
}

export interface TerminateOnNonFiniteArgs {
  /** Called once, at the step training went non-finite. Defaults to nothing. */
  onDivergence?: (divergence: Divergence) => void;
}

export class TerminateOnNonFinite implements Callback {
  /** Set at the first non-finite step; null while training stays finite. */
  divergence: Divergence | null = null;
  private model: Sequential | null = null;
  private readonly onDivergence?: (divergence: Divergence) => void;

  constructor(args: TerminateOnNonFiniteArgs = {}) {
    this.onDivergence = args.onDivergence;
  }

  onTrainBegin(model: Sequential): void {
    this.model = model;
    this.divergence = null;
  }

  /**
   * The gradient norms and the new weights' Σw², every step until training has diverged:
   * backward and the update's report then carry them.
   */
  measuresWanted(): StepMeasures {
    return this.divergence ? NO_MEASURES : GRADIENTS_AND_WEIGHTS;
  }

  onGradients(context: StepContext): void {
    if (this.divergence) return;
    if (Number.isFinite(context.loss) && Number.isFinite(context.gradients.total)) return;
    this.stop(context, this.locateInStep(context));
  }

  onBatchEnd(context: BatchEndContext): void {
    if (this.divergence) return;
    const measured = context.update.weightSquares;
    let squares = 0;
    for (const variable of context.model.trainableVariables)
      squares += measured.get(variable) ?? sumOfSquares(variable.value);
    if (Number.isFinite(squares)) return;
    const variable = context.model.trainableVariables.find((v) => !isFinite(v.value));
    const name = variable?.name ?? 'a variable';
    this.stop(context, {
      layer: name.split('/')[0],
      quantity: `the weights of ${name} after the update`,
    });
  }

  /** The first non-finite quantity of this step's forward and backward pass, in their order. */
  private locateInStep(context: StepContext): { layer?: string; quantity: string } {
    const layers = context.model.layers;
    for (const layer of layers) {
      if (layer.output && !isFinite(layer.output))
        return { layer: layer.name, quantity: `the output of ${layer.name}` };
    }
    if (!Number.isFinite(context.loss)) return { quantity: 'the loss' };
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      if (layer.outputGrad && !isFinite(layer.outputGrad))
        return { layer: layer.name, quantity: `∂L/∂a at ${layer.name}` };
      for (const variable of layer.trainableVariables) {
        if (!isFinite(variable.trainableGrad))
          return { layer: layer.name, quantity: `the gradient of ${variable.name}` };
      }
    }
    // Not reached: a float64 Σx² of float32 values is non-finite only with a non-finite element.
    return { quantity: 'the gradients' };
  }

  private stop(context: StepContext, where: { layer?: string; quantity: string }): void {
    const model = this.model ?? context.model;
    const message =
      `${model.name}: training diverged at step ${context.step} (epoch ${context.epoch + 1}, ` +
      `batch ${context.batch + 1}): the first non-finite value is ${where.quantity}; ` +
      `training stopped there (the loss was ${context.loss}).`;
    this.divergence = {
      step: context.step,
      epoch: context.epoch,
      batch: context.batch,
      ...(where.layer === undefined ? {} : { layer: where.layer }),
      quantity: where.quantity,
      loss: context.loss,
      message,
    };
    model.stopTraining = true;
    this.onDivergence?.(this.divergence);
  }
}

function isFinite(tensor: Tensor): boolean {
  return Number.isFinite(sumOfSquares(tensor));
}
