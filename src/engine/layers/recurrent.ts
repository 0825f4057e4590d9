/**
 * The time loop shared by recurrent layers. Input (batch, timesteps, features) is copied to
 * time-major buffers so each step works on contiguous (batch × …) matrices; a cell subclass
 * (SimpleRNN, LSTM, GRU) supplies one step forward and one step backward.
 *
 * Weights, the Keras way: `kernel` (features, gates·units), `recurrent_kernel`
 * (units, gates·units) and `bias`, the gates side by side along the columns, so each step
 * takes one x_t·K and one h_{t−1}·R product over all gates.
 *
 * Glass-box extra: `hiddenGrads` (timesteps × batch × units) keeps ∂L/∂h_t for every t after
 * backward — the quantity that explodes or vanishes through time.
 */
import { elementwiseFunctions, getActivation } from '../activations.js';
import type { ActivationFunction, ElementwiseFunction } from '../activations.js';
import { checkPositiveInteger, ShapeError, ValueError } from '../errors.js';
import { getInitializer } from '../initializers.js';
import { kernels } from '../kernels/index.js';
import type { PointwiseFunction } from '../kernels/elementwise.js';
import type { CellFunctions } from '../kernels/gates.js';
import type { InitializerSpec } from '../initializers.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Layer } from './layer.js';
import { addRowVector, sumRowsInto } from './dense.js';
import type { LayerArgs, StepInfo, TimeSignal } from './layer.js';
import type { Variable } from './variable.js';

export interface RecurrentArgs extends LayerArgs {
  /** Size of the hidden state. Required, a positive integer. */
  units: number;
  /** Return h_t for every step (batch, timesteps, units) instead of the last. Defaults to false. */
  returnSequences?: boolean;
  /** Defaults to true. */
  useBias?: boolean;
  /** Defaults to 'glorot_uniform'. */
  kernelInitializer?: InitializerSpec;
  /** Defaults to 'orthogonal'. */
  recurrentInitializer?: InitializerSpec;
  /** Defaults to 'zeros'. */
  biasInitializer?: InitializerSpec;
}

type Initializers = Required<
  Pick<RecurrentArgs, 'kernelInitializer' | 'recurrentInitializer' | 'biasInitializer'>
>;

export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly useBias: boolean;
  /** Column blocks of the kernels: 1 (SimpleRNN), 3 (GRU: z, r, h), 4 (LSTM: i, f, c, o). */
  protected abstract readonly gates: number;
  protected readonly initializers: Initializers;
  kernel!: Variable;
  recurrentKernel!: Variable;
  bias: Variable | null = null;
  /** x_t, time-major: (timesteps, batch, features). */
  protected xs: Tensor | undefined;
  /** h_t for t = 0 … T, time-major, h_0 = 0: (timesteps + 1, batch, units). */
  protected hs: Tensor | undefined;
  private hGrads: Tensor | undefined;
  private xGrads: Tensor | undefined;
  private sequenceOutput: Tensor | undefined;
  private inputGradBuffer: Tensor | undefined;

  constructor(args: RecurrentArgs) {
    super(args);
    checkPositiveInteger(this.constructor.name, 'units', args.units);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.useBias = args.useBias ?? true;
    this.initializers = {
      kernelInitializer: args.kernelInitializer ?? 'glorot_uniform',
      recurrentInitializer: args.recurrentInitializer ?? 'orthogonal',
      biasInitializer: args.biasInitializer ?? 'zeros',
    };
    // Resolved now so that a misspelt name fails at construction rather than at build.
    Object.values(this.initializers).forEach((spec) => getInitializer(spec));
  }

  protected override createWeights(inputShape: Shape, rng: RandomState): void {
    const features = inputShape[1],
      width = this.gates * this.units;
    this.kernel = this.addWeight(
      'kernel',
      [features, width],
      this.initializers.kernelInitializer,
      rng,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, width],
      this.initializers.recurrentInitializer,
      rng,
    );
    if (this.useBias) this.bias = this.createBias(rng);
  }

  /** The bias, [gates·units] unless a cell needs another layout. */
  protected createBias(rng: RandomState): Variable {
    return this.addWeight(
      'bias',
      [this.gates * this.units],
      this.initializers.biasInitializer,
      rng,
    );
  }

  /** ∂L/∂h_t for every step of the last backward pass, (timesteps, batch, units). */
  get hiddenGrads(): Tensor | null {
    return this.hGrads ?? null;
  }

  /** The glass-box contract's signal through time: ∂L/∂h_t (see layer.ts). */
  override get timeSignals(): readonly TimeSignal[] {
    return this.hGrads ? [{ state: 'hidden', grads: this.hGrads }] : [];
  }

  /** Hidden states h_1 … h_T of the last forward pass, (timesteps, batch, units). */
  get hiddenStates(): Tensor | null {
    return this.hs ? this.hs.slabsFrom(1) : null;
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new ShapeError(
        `${this.className}: expected samples of shape [timesteps,features]. ` +
          `Received: [${inputShape.join(',')}]`,
      );
    }
    return this.returnSequences ? [inputShape[0], this.units] : [this.units];
  }

  /** Columns of the kernels: gates·units. */
  protected get width(): number {
    return this.gates * this.units;
  }

  /** z = x·K (+ b), all gates in one product; x is (batch, features). */
  protected inputProduct(x: Tensor, z: Tensor, bias: Float32Array | null): void {
    const batch = x.shape[0];
    kernels.matmul(x, this.kernel.value, z, batch, x.shape[1], this.width, false);
    if (bias) addRowVector(z.data, bias, batch, this.width);
  }

  /** z = h·R (+ b'), or z += h·R with `accumulate`; h is (batch, units). */
  protected recurrentProduct(
    h: Tensor,
    z: Tensor,
    accumulate: boolean,
    bias: Float32Array | null,
  ): void {
    const batch = h.shape[0];
    kernels.matmul(h, this.recurrentKernel.value, z, batch, this.units, this.width, accumulate);
    if (bias) addRowVector(z.data, bias, batch, this.width);
  }

  /** Given a = ∂L/∂(x·K + b): ∂K += xᵀ·a;  ∂b += Σ a;  ∂L/∂x = a·Kᵀ (when xGrad is given). */
  protected inputBackward(
    x: Tensor,
    aGrad: Tensor,
    biasGrad: Float32Array | null,
    xGrad: Tensor | null,
  ): void {
    const [batch, features] = x.shape;
    const K = this.kernel;
    const kernelGrad = K.gradToWrite();
    kernels.matmulTransA(
      x,
      aGrad,
      kernelGrad.grad,
      features,
      batch,
      this.width,
      kernelGrad.accumulate,
    );
    if (biasGrad) sumRowsInto(aGrad.data, biasGrad, batch, this.width);
    if (xGrad) kernels.matmulTransB(aGrad, K.value, xGrad, batch, this.width, features, false);
  }

  /**
   * Given m = ∂L/∂(h·R + b'): ∂R += hᵀ·m;  ∂b' += Σ m;  ∂L/∂h = m·Rᵀ into hGrad (added with
   * `accumulate`), when hGrad is given.
   */
  protected recurrentBackward(
    h: Tensor,
    mGrad: Tensor,
    biasGrad: Float32Array | null,
    hGrad: Tensor | null,
    accumulate: boolean,
  ): void {
    const batch = h.shape[0],
      R = this.recurrentKernel;
    const recurrentGrad = R.gradToWrite();
    kernels.matmulTransA(
      h,
      mGrad,
      recurrentGrad.grad,
      this.units,
      batch,
      this.width,
      recurrentGrad.accumulate,
    );
    if (biasGrad) sumRowsInto(mGrad.data, biasGrad, batch, this.width);
    if (hGrad)
      kernels.matmulTransB(mGrad, R.value, hGrad, batch, this.width, this.units, accumulate);
  }

  /** z_t and h_t from x_t and h_{t−1}; the cell caches what its backward step needs. */
  protected abstract forwardStep(t: number, x: Tensor, hPrev: Tensor, h: Tensor): void;

  /**
   * Given ∂L/∂h_t (complete), accumulates the weight gradients, writes ∂L/∂x_t (when xGrad is
   * given) and adds ∂L/∂h_{t−1} into hPrevGrad.
   */
  protected abstract backwardStep(
    t: number,
    hGrad: Tensor,
    xGrad: Tensor | null,
    hPrevGrad: Tensor | null,
  ): void;

  /** Called once per forward pass before the steps, to size per-step caches. */
  protected abstract prepareCaches(timesteps: number, batch: number): void;

  forward(input: Tensor, _step: StepInfo): Tensor {
    const batch = this.checkInput(input);
    const [timesteps, features] = this.inputShape!;
    this.xs = Tensor.resized(this.xs, [timesteps, batch, features]);
    transposeFirstTwo(input.data, this.xs.data, batch, timesteps, features);
    this.hs = Tensor.resized(this.hs, [timesteps + 1, batch, this.units]);
    this.hs.slab(0).fill(0);
    this.prepareCaches(timesteps, batch);
    for (let t = 0; t < timesteps; t++) {
      this.forwardStep(t, this.xs.slab(t), this.hs.slab(t), this.hs.slab(t + 1));
    }
    this.lastInput = input;
    if (!this.returnSequences) return (this.lastOutput = this.hs.slab(timesteps));
    const out = (this.sequenceOutput = Tensor.resized(this.sequenceOutput, [
      batch,
      timesteps,
      this.units,
    ]));
    transposeFirstTwo(
      this.hs.data.subarray(batch * this.units),
      out.data,
      timesteps,
      batch,
      this.units,
    );
    return (this.lastOutput = out);
  }

  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    const [timesteps, features] = this.inputShape!;
    const batch = this.lastInput!.shape[0];
    const hGrads = (this.hGrads = Tensor.resized(this.hGrads, [timesteps, batch, this.units]));
    if (this.returnSequences)
      transposeFirstTwo(outputGrad.data, hGrads.data, batch, timesteps, this.units);
    else {
      hGrads.fill(0);
      hGrads.slab(timesteps - 1).copyFrom(outputGrad);
    }
    const xGrads = needInputGrad
      ? (this.xGrads = Tensor.resized(this.xGrads, [timesteps, batch, features]))
      : null;
    for (let t = timesteps - 1; t >= 0; t--) {
      this.backwardStep(
        t,
        hGrads.slab(t),
        xGrads ? xGrads.slab(t) : null,
        t > 0 ? hGrads.slab(t - 1) : null,
      );
    }
    if (!xGrads) return (this.lastInputGrad = null);
    const inputGrad = (this.inputGradBuffer = Tensor.resized(
      this.inputGradBuffer,
      this.lastInput!.shape,
    ));
    transposeFirstTwo(xGrads.data, inputGrad.data, timesteps, batch, features);
    return (this.lastInputGrad = inputGrad);
  }

  getConfig(): Record<string, unknown> {
    return { units: this.units, returnSequences: this.returnSequences, useBias: this.useBias };
  }
}

/** Names accepted for a gated cell's `activation` and `recurrentActivation`. */
export type ElementwiseName = keyof typeof elementwiseFunctions;

export interface GatedRecurrentArgs extends RecurrentArgs {
  /** Applied to the candidate state (and, in the LSTM, to the cell state). Defaults to 'tanh'. */
  activation?: ElementwiseName;
  /** Applied to the gates. Defaults to 'sigmoid'. */
  recurrentActivation?: ElementwiseName;
}

/** LSTM and GRU: a candidate activation and a gate activation, applied one value at a time. */
export abstract class GatedRecurrent extends Recurrent {
  readonly activation: ActivationFunction;
  readonly recurrentActivation: ActivationFunction;
  /** `activation` (act) and `recurrentActivation` (gateAct) for the gate kernels. */
  protected readonly cell: CellFunctions;

  constructor(args: GatedRecurrentArgs) {
    super(args);
    const owner = this.constructor.name;
    const activation = args.activation ?? 'tanh',
      recurrentActivation = args.recurrentActivation ?? 'sigmoid';
    this.cell = {
      act: cellFunction(owner, 'activation', activation),
      gateAct: cellFunction(owner, 'recurrentActivation', recurrentActivation),
    };
    this.activation = getActivation(activation);
    this.recurrentActivation = getActivation(recurrentActivation);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      activation: this.activation.name,
      recurrentActivation: this.recurrentActivation.name,
    };
  }
}

/** The elementwise function `name`, or a ValueError naming the layer and the field. */
export function cellFunction(owner: string, field: string, name: string): PointwiseFunction {
  if (!Object.prototype.hasOwnProperty.call(elementwiseFunctions, name)) {
    throw new ValueError(
      `${owner}: ${field} must be one of ${Object.keys(elementwiseFunctions).join(', ')}. ` +
        `Received: ${field}=${name}`,
    );
  }
  const fn: ElementwiseFunction = elementwiseFunctions[name as ElementwiseName];
  return { name, output: fn.output, der: fn.der };
}

/** out[b, a, :] = x[a, b, :] for x of shape (A, B, C). */
export function transposeFirstTwo(
  x: Float32Array,
  out: Float32Array,
  A: number,
  B: number,
  C: number,
): void {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const from = (a * B + b) * C,
        to = (b * A + a) * C;
      for (let c = 0; c < C; c++) out[to + c] = x[from + c];
    }
  }
}
