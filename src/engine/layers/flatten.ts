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

  // The views of the last call are given again for the same tensor (the model's buffers are the
  // same from batch to batch), so that a step makes no tensor and no shape array here.
  forward(input: Tensor, _step: StepInfo): Tensor {
    const batch = this.checkInput(input);
    const same = input === this.lastInput && this.lastOutput?.shape[0] === batch;
    this.lastInput = input;
    return (this.lastOutput = same ? this.lastOutput! : input.view([batch, ...this.outputShape!]));
  }

  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    const inputShape = this.lastInput!.shape;
    // The trailing dimensions are the layer's input shape: the batch tells the view's shape.
    const same =
      outputGrad === this.lastOutputGrad && this.lastInputGrad?.shape[0] === inputShape[0];
    this.lastOutputGrad = outputGrad;
    this.lastInputGrad = !needInputGrad
      ? null
      : same
        ? this.lastInputGrad
        : outputGrad.view(inputShape);
    return this.lastInputGrad;
  }

  getConfig(): Record<string, unknown> {
    return {};
  }
}
