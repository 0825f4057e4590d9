/** Flatten: (batch, d1, d2, …) → (batch, d1·d2·…), a view with no copy. */
import { shapeSize } from '../tensor.js';
import type { Shape, Tensor } from '../tensor.js';
import { Layer } from './layer.js';
import type { StepInfo } from './layer.js';

export class Flatten extends Layer {
  readonly className = 'Flatten';
  readonly kind = 'flatten';

  override get passThrough(): boolean {
    return true;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [shapeSize(inputShape)];
  }

  forward(input: Tensor, _step: StepInfo): Tensor {
    const batch = this.checkInput(input);
    this.lastInput = input;
    return (this.lastOutput = input.view([batch, ...this.outputShape!]));
  }

  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    this.lastInputGrad = needInputGrad ? outputGrad.view(this.lastInput!.shape) : null;
    return this.lastInputGrad;
  }

  getConfig(): Record<string, unknown> {
    return {};
  }
}
