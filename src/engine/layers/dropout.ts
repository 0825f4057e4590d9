/**
 * Dropout (inverted): in training each value is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), so inference is the identity. The mask is drawn in bulk by a fast generator
 * (xoshiro128**, src/engine/kernels/dropout.ts) that the model's seeded MT19937 reseeds on every
 * batch, so masks are reproducible from the model's seed.
 */
import { ValueError } from '../errors.js';
import { backend } from '../kernels/index.js';
import { DROPOUT_STATE_WORDS, seedDropoutState } from '../kernels/dropout.js';
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
  private readonly state = new Uint32Array(DROPOUT_STATE_WORDS);

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
    const mask = (this.mask = Tensor.resized(this.mask, input.shape));
    const y = (this.y = Tensor.resized(this.y, input.shape));
    const state = seedDropoutState(step.rng, this.state);
    const scale = 1 / (1 - this.rate);
    backend.dropout(input.data, mask.data, y.data, input.size, this.rate, scale, state);
    return (this.lastOutput = y);
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
    backend.elementwise.multiply(outputGrad.data, this.mask!.data, inputGrad.data, outputGrad.size);
    return (this.lastInputGrad = inputGrad);
  }

  getConfig(): Record<string, unknown> {
    return { rate: this.rate };
  }
}
