/**
 * The layer base class and the glass-box contract.
 *
 * Lifecycle (Keras): construct (store config) → `build(inputShape)` (create weights) →
 * `forward` → `backward`. Shapes exclude the batch dimension.
 *
 * Glass-box contract. After `backward` of a training step, and until the next `forward`,
 * every layer exposes, without extra computation:
 *   - `input`       the batch it received (batch × inputShape)
 *   - `output`      what it returned (batch × outputShape)
 *   - `outputGrad`  ∂L/∂output, the backprop signal arriving from above
 *   - `inputGrad`   ∂L/∂input, the signal it passed down (null for the layers below the first
 *                   trainable layer: nothing there learns, so it is not computed)
 *   - `variables`   each with `value` and `grad` = ∂L/∂value for this batch.
 * These are views into the engine's buffers: read them, never write them, and do not keep them
 * across steps (the next batch overwrites them). The model's `onGradients` callback point sits
 * between "gradients computed" and "optimizer applies them".
 *
 * Each layer also declares what its readers need, so a probe knows no concrete layer class:
 *   - `activationKind`  the activation its output went through ('relu', 'sigmoid', …; null for
 *                       none), which says which statistics of the output mean something
 *   - `passThrough`     true when the output is the input reshaped (Flatten): probing it would
 *                       repeat its neighbour
 *   - `timeSignals`     for layers with a state through time, ∂L/∂state at every time step
 *   - `preActivation`   z, for a layer whose output is activationKind(z): a loss fused with that
 *                       activation computes its value from z and passes ∂L/∂z to `backward`.
 */
import type { ActivationName } from '../activations.js';
import { ShapeError, ValueError } from '../errors.js';
import { getInitializer } from '../initializers.js';
import type { InitializerSpec } from '../initializers.js';
import type { StepMeasures } from '../measures.js';
import type { RandomState } from '../random.js';
import { shapeSize, shapeToString, Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Variable } from './variable.js';

export interface LayerArgs {
  /** The layer's name; defaults to `<kind>_<n>`, numbered per model from 1 (`dense_1`). */
  name?: string;
  /** Shape of one sample (no batch dim), for a model's first layer. Defaults to none. */
  inputShape?: Shape;
}

export interface StepInfo {
  /** True during training: Dropout drops, BatchNormalization uses batch statistics. */
  training: boolean;
  /** Random source for Dropout masks, seeded by the model. */
  rng: RandomState;
}

/** A signal a layer keeps for every time step of the last backward pass. */
export interface TimeSignal {
  /** Which state: 'hidden' (∂L/∂h_t of any recurrent layer) or 'cell' (an LSTM's ∂L/∂c_t). */
  readonly state: 'hidden' | 'cell';
  /** ∂L/∂state at each time step t = 1 … T, time-major: (timesteps, batch, units). */
  readonly grads: Tensor;
}

export abstract class Layer {
  /** The Keras class name, shown by `summary()`. */
  abstract readonly className: string;
  /** Default-name prefix, e.g. 'dense'. */
  abstract readonly kind: string;
  name: string | undefined;
  readonly declaredInputShape: Shape | undefined;
  inputShape: Shape | undefined;
  outputShape: Shape | undefined;
  readonly variables: Variable[] = [];

  protected lastInput: Tensor | null = null;
  protected lastOutput: Tensor | null = null;
  protected lastOutputGrad: Tensor | null = null;
  protected lastInputGrad: Tensor | null = null;
  /** Σ(∂L/∂output)² when the last backward pass measured it (StepMeasures), else null. */
  protected lastOutputGradSquares: number | null = null;

  constructor(args: LayerArgs = {}) {
    this.name = args.name;
    this.declaredInputShape = args.inputShape;
  }

  get built(): boolean {
    return this.inputShape !== undefined;
  }
  get input(): Tensor | null {
    return this.lastInput;
  }
  get output(): Tensor | null {
    return this.lastOutput;
  }
  /** ∂L/∂output of the last backward pass: the backprop signal at this layer. */
  get outputGrad(): Tensor | null {
    return this.lastOutputGrad;
  }
  /**
   * Σ(∂L/∂output)² of the last backward pass, when it measured it (StepMeasures.signals, in a
   * layer that measures its signal); null otherwise.
   */
  get outputGradSquares(): number | null {
    return this.lastOutputGradSquares;
  }
  /** ∂L/∂input of the last backward pass. */
  get inputGrad(): Tensor | null {
    return this.lastInputGrad;
  }
  get trainableVariables(): Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

  /** The activation applied to the output, or null when the layer applies none. */
  get activationKind(): ActivationName | null {
    return null;
  }
  /** Whether the output is the input itself, reshaped (nothing to probe that its input lacks). */
  get passThrough(): boolean {
    return false;
  }
  /** ∂L/∂state per time step, for layers with a state through time; empty for the others. */
  get timeSignals(): readonly TimeSignal[] {
    return [];
  }
  /** z of the last forward pass when the output is activationKind(z); null for other layers. */
  get preActivation(): Tensor | null {
    return null;
  }
  /**
   * Where the output is softmax(z): each row's max and Σ exp(z − max) of `preActivation`, from
   * the same forward pass (at 2r and 2r + 1), for a fused loss's log-sum-exp; else null.
   */
  get logitRowStats(): Float64Array | null {
    return null;
  }

  /** The layer's variable whose name ends in `/<short>` (e.g. 'kernel'). */
  variable(short: string): Variable {
    const found = this.variables.find((v) => v.name === `${this.name}/${short}`);
    if (!found) {
      const names = this.variables.map((v) => v.name.slice(`${this.name}/`.length));
      throw new ValueError(
        `${this.name}: has no weight '${short}'. Expected one of: ${names.join(', ') || '(none)'}`,
      );
    }
    return found;
  }

  countParams(): number {
    return this.variables.reduce((sum, v) => sum + v.value.size, 0);
  }

  /** Creates the weights for samples of `inputShape`. */
  build(inputShape: Shape, rng: RandomState): void {
    this.outputShape = this.computeOutputShape(inputShape);
    this.inputShape = [...inputShape];
    this.createWeights(inputShape, rng);
  }

  abstract computeOutputShape(inputShape: Shape): Shape;

  /** Runs the layer on a batch; stores input and output for `backward` and for probes. */
  abstract forward(input: Tensor, step: StepInfo): Tensor;

  /**
   * Given ∂L/∂output, accumulates each parameter's gradient and returns ∂L/∂input
   * (or null when `needInputGrad` is false). `preActivationGrad` is passed only to a layer that
   * declares a `preActivation`, by a loss fused with its activation: ∂L/∂z itself, exact where
   * the chain through ∂L/∂output would divide by p ≈ 0; `outputGrad` is then kept as the signal.
   * `measures` (defaults to NO_MEASURES) asks for the squared norms backward takes on the way.
   */
  abstract backward(
    outputGrad: Tensor,
    needInputGrad: boolean,
    preActivationGrad?: Tensor,
    measures?: StepMeasures,
  ): Tensor | null;

  /** The Keras-style config, for summaries and saved weights. */
  abstract getConfig(): Record<string, unknown>;

  protected createWeights(_inputShape: Shape, _rng: RandomState): void {}

  protected addWeight(
    short: string,
    shape: Shape,
    initializer: InitializerSpec,
    rng: RandomState,
    trainable = true,
  ): Variable {
    const variable = new Variable(
      `${this.name}/${short}`,
      shape,
      getInitializer(initializer)(shape, rng),
      trainable,
    );
    this.variables.push(variable);
    return variable;
  }

  /** Batch size of `input`, after checking its trailing dims against the built input shape. */
  protected checkInput(input: Tensor): number {
    const expected = this.inputShape;
    if (!expected) throw new ValueError(`${this.name}: forward called before build`);
    const { shape } = input;
    let matches = shape.length === expected.length + 1;
    // A loop over the trailing dimensions, not slice and some: it runs every batch.
    for (let i = 0; matches && i < expected.length; i++) matches = shape[i + 1] === expected[i];
    if (!matches) {
      throw new ShapeError(
        `${this.name}: expected input of shape [batch,${expected.join(',')}]. ` +
          `Received: ${shapeToString(input.shape)}`,
      );
    }
    return input.shape[0];
  }

  /**
   * A buffer of shape [batch, ...outputShape]: `previous` itself when it has that batch, so that
   * a step makes no shape arrays; else Tensor.resized's.
   */
  protected outputSized(previous: Tensor | undefined, batch: number): Tensor {
    const shape = this.outputShape!;
    if (previous?.shape[0] === batch && previous.shape.length === shape.length + 1) return previous;
    return Tensor.resized(previous, [batch, ...shape]);
  }

  /** Checks ∂L/∂output has the shape of the last output. */
  protected checkOutputGrad(outputGrad: Tensor): void {
    const output = this.lastOutput;
    if (!output) throw new ValueError(`${this.name}: backward called before forward`);
    if (shapeSize(outputGrad.shape) !== output.size) {
      throw new ShapeError(
        `${this.name}: outputGrad must match the output shape ${shapeToString(output.shape)}. ` +
          `Received: ${shapeToString(outputGrad.shape)}`,
      );
    }
  }
}
