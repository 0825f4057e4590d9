/** Dense: a = f(x·W + b), applied over the last axis. */
import { activations, getActivation } from '../activations.js';
import type { ActivationFunction, ActivationName } from '../activations.js';
import { checkPositiveInteger } from '../errors.js';
import { getInitializer } from '../initializers.js';
import type { InitializerSpec } from '../initializers.js';
import { backend, kernels } from '../kernels/index.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Layer } from './layer.js';
import type { LayerArgs, StepInfo } from './layer.js';
import { NO_MEASURES, type StepMeasures } from '../measures.js';
import type { Variable } from './variable.js';

export interface DenseArgs extends LayerArgs {
  /** Number of output units. Required, a positive integer. */
  units: number;
  /** Activation applied to x·W + b. Defaults to 'linear'. */
  activation?: ActivationName;
  /** Whether to add a bias vector. Defaults to true. */
  useBias?: boolean;
  /** Defaults to 'glorot_uniform'. */
  kernelInitializer?: InitializerSpec;
  /** Defaults to 'zeros'. */
  biasInitializer?: InitializerSpec;
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly kind = 'dense';
  readonly units: number;
  readonly activation: ActivationFunction;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  kernel!: Variable;
  bias: Variable | null = null;

  /** z = x·W + b, the pre-activation; the same tensor as the output when linear. */
  private z: Tensor | undefined;
  private a: Tensor | undefined;
  /** This layer's own buffer for ∂L/∂z (a fused loss passes its own tensor instead). */
  private zGradBuffer: Tensor | undefined;
  private lastZGrad: Tensor | null = null;
  private inputGradBuffer: Tensor | undefined;
  /** With softmax: each row's max and Σ exp(z − max) of the last forward (`logitRowStats`). */
  private softmaxRows: Float64Array | null = null;

  constructor(args: DenseArgs) {
    super(args);
    checkPositiveInteger('Dense', 'units', args.units);
    this.units = args.units;
    this.activation = getActivation(args.activation ?? 'linear');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorot_uniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    // Resolved now so that a misspelt name fails at construction rather than at build.
    getInitializer(this.kernelInitializer);
    getInitializer(this.biasInitializer);
  }

  get isLinear(): boolean {
    return this.activation.name === 'linear';
  }
  override get activationKind(): ActivationName {
    return this.activation.name;
  }
  /** The pre-activation z of the last forward pass. */
  override get preActivation(): Tensor | null {
    return this.z ?? null;
  }
  override get logitRowStats(): Float64Array | null {
    return this.softmaxRows;
  }
  /** ∂L/∂z of the last backward pass (for a linear layer, ∂L/∂output itself). */
  get preActivationGrad(): Tensor | null {
    return this.lastZGrad;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  protected override createWeights(inputShape: Shape, rng: RandomState): void {
    const inFeatures = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [inFeatures, this.units], this.kernelInitializer, rng);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer, rng);
  }

  forward(input: Tensor, _step: StepInfo): Tensor {
    const batch = this.checkInput(input);
    const inFeatures = this.kernel.shape[0];
    const rows = input.size / inFeatures;
    const z = (this.z = this.outputSized(this.z, batch));
    const a = this.isLinear ? z : (this.a = this.outputSized(this.a, batch));
    const w = this.kernel.value;
    const bias = this.bias?.value ?? null;
    const name = this.activation.name;
    // Where the product can, it adds b and applies f to each block of z as it leaves it.
    if (!kernels.matmulActivated?.(input, w, z, rows, inFeatures, this.units, bias, a, name)) {
      kernels.matmul(input, w, z, rows, inFeatures, this.units, false);
      // z += b and a = f(z) in one pass over z (and, for softmax, its rows' sums kept).
      const rowStats = name === 'softmax' ? this.softmaxRowsFor(rows) : null;
      this.activation.forward(z.data, a.data, rows, this.units, bias?.data, rowStats);
    }
    this.lastInput = input;
    this.lastOutput = a;
    return a;
  }

  /** `softmaxRows` for a batch of `rows`, made anew only when the batch size changes. */
  private softmaxRowsFor(rows: number): Float64Array {
    if (this.softmaxRows?.length !== 2 * rows) this.softmaxRows = new Float64Array(2 * rows);
    return this.softmaxRows;
  }

  backward(
    outputGrad: Tensor,
    needInputGrad: boolean,
    preActivationGrad?: Tensor,
    measures: StepMeasures = NO_MEASURES,
  ): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    this.lastOutputGradSquares = null;
    if (preActivationGrad) {
      return this.backwardFromPreActivation(preActivationGrad, needInputGrad, measures);
    }
    const z = this.z!;
    let zGrad = outputGrad;
    if (!this.isLinear) {
      zGrad = this.zGradBuffer = Tensor.resized(this.zGradBuffer, z.shape);
      const a = this.lastOutput!;
      // The derivative reads the whole signal: its norm is taken there when asked for.
      const squares = this.activation.backward(
        z.data,
        a.data,
        outputGrad.data,
        zGrad.data,
        z.size / this.units,
        this.units,
        measures.signals,
      );
      if (measures.signals) this.lastOutputGradSquares = squares;
    }
    return this.backwardFromPreActivation(zGrad, needInputGrad, measures);
  }

  // ∂L/∂W += xᵀ·∂L/∂z;  ∂L/∂b += Σ_rows ∂L/∂z;  ∂L/∂x = ∂L/∂z·Wᵀ. With measures.gradients,
  // the kernels that write ∂L/∂W and ∂L/∂b also return their squared norms.
  private backwardFromPreActivation(
    zGrad: Tensor,
    needInputGrad: boolean,
    measures: StepMeasures,
  ): Tensor | null {
    this.lastZGrad = zGrad;
    const x = this.lastInput!;
    const inFeatures = this.kernel.shape[0];
    const rows = x.size / inFeatures;
    const measure = measures.gradients;
    const { grad, accumulate } = this.kernel.gradToWrite();
    const kernelSquares = kernels.matmulTransA(
      x,
      zGrad,
      grad,
      inFeatures,
      rows,
      this.units,
      accumulate,
      measure,
    );
    if (measure) this.kernel.recordGradSquares(kernelSquares);
    if (this.bias) {
      const biasGrad = this.bias.trainableGrad;
      const biasSquares = sumRowsInto(zGrad.data, biasGrad.data, rows, this.units, measure);
      if (measure) this.bias.recordGradSquares(biasSquares);
    }
    if (!needInputGrad) return (this.lastInputGrad = null);
    const inputGrad = (this.inputGradBuffer = Tensor.resized(this.inputGradBuffer, x.shape));
    kernels.matmulTransB(zGrad, this.kernel.value, inputGrad, rows, this.units, inFeatures, false);
    return (this.lastInputGrad = inputGrad);
  }

  getConfig(): Record<string, unknown> {
    return { units: this.units, activation: this.activation.name, useBias: this.useBias };
  }
}

/** m[r, :] += v for every row r (the linear activation's fused bias add). */
export function addRowVector(m: Float32Array, v: Float32Array, rows: number, cols: number): void {
  activations.linear.forward(m, m, rows, cols, v);
}

/** out[j] += Σ_r m[r, j]; with `measure`, returns Σ out[j]² after (else 0). */
export function sumRowsInto(
  m: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  measure = false,
): number {
  return backend.elementwise.sumRowsInto(m, out, rows, cols, measure);
}
