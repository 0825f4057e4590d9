/**
 * Dropout (inverted): in training each value is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), so inference is the identity. The mask comes from the model's seeded generator.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Layer } from './layer.js';
import type { LayerArgs, StepInfo } from './layer.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of inputs to drop, in [0, 1). Required. */
  rate: number;
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly kind = 'dropout';
  readonly rate: number;
  /** 0 or 1/(1 − rate) per element: the forward multiplier, reused by backward. */
  private mask: Tensor | undefined;
  private y: Tensor | undefined;
  private inputGradBuffer: Tensor | undefined;
  private dropped = false;

  constructor(args: DropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new ValueError(`Dropout: rate must be in [0, 1). Received: rate=${args.rate}`);
    }
    this.rate = args.rate;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(input: Tensor, step: StepInfo): Tensor {
    this.checkInput(input);
    this.lastInput = input;
    this.dropped = step.training && this.rate > 0;
    if (!this.dropped) return (this.lastOutput = input);
    const mask = (this.mask = Tensor.resized(this.mask, input.shape)).data;
    const y = (this.y = Tensor.resized(this.y, input.shape)).data;
    const x = input.data;
    const scale = 1 / (1 - this.rate);
    // One 32-bit draw per element: the mask needs no 53-bit double.
    const threshold = this.rate * 2 ** 32;
    for (let i = 0; i < x.length; i++) {
      mask[i] = step.rng.nextUint32() < threshold ? 0 : scale;
      y[i] = x[i] * mask[i];
    }
    return (this.lastOutput = this.y);
  }

  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    if (!needInputGrad) return (this.lastInputGrad = null);
    if (!this.dropped) return (this.lastInputGrad = outputGrad);
    const inputGrad = (this.inputGradBuffer = Tensor.resized(
      this.inputGradBuffer,
      outputGrad.shape,
    ));
    const g = inputGrad.data,
      dy = outputGrad.data,
      mask = this.mask!.data;
    for (let i = 0; i < g.length; i++) g[i] = dy[i] * mask[i];
    return (this.lastInputGrad = inputGrad);
  }

  getConfig(): Record<string, unknown> {
    return { rate: this.rate };
  }
}
