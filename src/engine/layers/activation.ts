/** Activation: a = f(x), elementwise (softmax over the last axis). */
import { getActivation } from '../activations.js';
import type { ActivationFunction, ActivationName } from '../activations.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Layer } from './layer.js';
import type { LayerArgs, StepInfo } from './layer.js';

export interface ActivationArgs extends LayerArgs {
  /** The function's Keras name. Required. */
  activation: ActivationName;
}

export class Activation extends Layer {
  readonly className = 'Activation';
  readonly kind = 'activation';
  readonly activation: ActivationFunction;
  private a: Tensor | undefined;
  private inputGradBuffer: Tensor | undefined;

  constructor(args: ActivationArgs) {
    super(args);
    this.activation = getActivation(args.activation);
  }

  override get activationKind(): ActivationName {
    return this.activation.name;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(input: Tensor, _step: StepInfo): Tensor {
    this.checkInput(input);
    const cols = input.shape[input.shape.length - 1];
    const a = (this.a = Tensor.resized(this.a, input.shape));
    this.activation.forward(input.data, a.data, input.size / cols, cols);
    this.lastInput = input;
    return (this.lastOutput = a);
  }

  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    if (!needInputGrad) return (this.lastInputGrad = null);
    const x = this.lastInput!;
    const cols = x.shape[x.shape.length - 1];
    const inputGrad = (this.inputGradBuffer = Tensor.resized(this.inputGradBuffer, x.shape));
    this.activation.backward(
      x.data,
      this.lastOutput!.data,
      outputGrad.data,
      inputGrad.data,
      x.size / cols,
      cols,
    );
    return (this.lastInputGrad = inputGrad);
  }

  getConfig(): Record<string, unknown> {
    return { activation: this.activation.name };
  }
}
