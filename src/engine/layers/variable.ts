/** A layer's weight with its gradient, named the Keras way: `dense_1/kernel`. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';

export class Variable {
  /** Full name, `<layer>/<weight>`. */
  readonly name: string;
  readonly value: Tensor;
  private readonly gradTensor: Tensor | null;
  /**
   * Set by `zeroGrad`: the gradient counts as zero but its tensor still holds the last batch's
   * values. They are zeroed when the gradient is next read, unless a kernel that writes it
   * whole (`gradToWrite`) comes first: a step's largest gradients are then never filled with
   * zeros only to be overwritten (at width 256 the fill took 5% of a step).
   */
  private gradIsZero = false;
  /**
   * Σg² as the kernel that wrote the gradient measured it (`recordGradSquares`); NaN stands for
   * a non-finite sum, so `gradSquaresKnown` says whether there is one. Forgotten whenever the
   * gradient is handed out again (`grad`, `gradToWrite`, `zeroGrad`): whoever gets the tensor
   * may write it.
   */
  private gradSquares = 0;
  private gradSquaresKnown = false;

  constructor(name: string, shape: Shape, values: Float32Array, trainable: boolean) {
    this.name = name;
    this.value = Tensor.fromArray(shape, values);
    this.gradTensor = trainable ? Tensor.zeros(shape) : null;
  }

  /** ∂L/∂value for the last batch; zeroed by `zeroGrad`, accumulated with +=. Null when not trainable. */
  get grad(): Tensor | null {
    this.gradSquaresKnown = false;
    if (this.gradIsZero) {
      this.gradIsZero = false;
      this.gradTensor!.fill(0);
    }
    return this.gradTensor;
  }

  get trainable(): boolean {
    return this.gradTensor !== null;
  }

  get shape(): Shape {
    return this.value.shape;
  }

  /** Sets the gradient to zero (lazily: see `gradToWrite`). */
  zeroGrad(): void {
    this.gradIsZero = this.gradTensor !== null;
    this.gradSquaresKnown = false;
  }

  /**
   * Records Σg² of the gradient as just written, measured by the kernel that wrote it (a
   * product with `measure`), so that the step's GradientNorms need not read it again.
   */
  recordGradSquares(squares: number): void {
    this.gradSquaresKnown = true;
    this.gradSquares = squares;
  }

  /** Σg² recorded since the gradient was last handed out (`recordGradSquares`), or null. */
  get recordedGradSquares(): number | null {
    return this.gradSquaresKnown ? this.gradSquares : null;
  }

  /**
   * The gradient for a kernel that either overwrites it or adds to it: `accumulate` is false
   * while it is zero since `zeroGrad`, so the kernel writes it whole, the same bits as adding
   * to zeros. Afterwards it counts as written. Throws for a non-trainable variable.
   */
  gradToWrite(): { grad: Tensor; accumulate: boolean } {
    const accumulate = !this.gradIsZero;
    this.gradIsZero = false;
    return { grad: this.trainableGrad, accumulate };
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
