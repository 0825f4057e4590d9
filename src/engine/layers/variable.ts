/** A layer's weight with its gradient, named the Keras way: `dense_1/kernel`. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';

export class Variable {
  /** Full name, `<layer>/<weight>`. */
  readonly name: string;
  readonly value: Tensor;
  /** ∂L/∂value for the last batch; zeroed by `zeroGrad`, accumulated with +=. Null when not trainable. */
  readonly grad: Tensor | null;

  constructor(name: string, shape: Shape, values: Float32Array, trainable: boolean) {
    this.name = name;
    this.value = Tensor.fromArray(shape, values);
    this.grad = trainable ? Tensor.zeros(shape) : null;
  }

  get trainable(): boolean {
    return this.grad !== null;
  }

  get shape(): Shape {
    return this.value.shape;
  }

  zeroGrad(): void {
    this.grad?.fill(0);
  }

  /** The gradient, for trainable variables; throws for the others. */
  get trainableGrad(): Tensor {
    if (this.grad === null) {
      throw new ValueError(
        `${this.name}: expected a trainable variable. Received: a non-trainable one (no gradient)`,
      );
    }
    return this.grad;
  }
}
