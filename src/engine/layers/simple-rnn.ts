/** SimpleRNN: h_t = f(x_t·K + h_{t−1}·R + b), h_0 = 0 (Keras defaults: tanh, orthogonal R). */
import type { ActivationName } from '../activations.js';
import { getActivation } from '../activations.js';
import type { ActivationFunction } from '../activations.js';
import { ValueError } from '../errors.js';
import { getInitializer } from '../initializers.js';
import type { InitializerSpec } from '../initializers.js';
import { kernels } from '../kernels/index.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { addRowVector, sumRowsInto } from './dense.js';
import { Recurrent } from './recurrent.js';
import type { RecurrentArgs } from './recurrent.js';
import type { Variable } from './variable.js';

export interface SimpleRNNArgs extends RecurrentArgs {
  /** 'tanh' or 'linear' (the article's numpy demo is linear). Defaults to 'tanh'. */
  activation?: 'tanh' | 'linear';
  /** Defaults to true. */
  useBias?: boolean;
  /** Defaults to 'glorot_uniform'. */
  kernelInitializer?: InitializerSpec;
  /** Defaults to 'orthogonal'. */
  recurrentInitializer?: InitializerSpec;
  /** Defaults to 'zeros'. */
  biasInitializer?: InitializerSpec;
}

const RNN_ACTIVATIONS: readonly ActivationName[] = ['tanh', 'linear'];

export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';
  readonly kind = 'simple_rnn';
  readonly activation: ActivationFunction;
  readonly useBias: boolean;
  private readonly initializers: Required<
    Pick<SimpleRNNArgs, 'kernelInitializer' | 'recurrentInitializer' | 'biasInitializer'>
  >;
  kernel!: Variable;
  recurrentKernel!: Variable;
  bias: Variable | null = null;
  /** z_t, time-major (timesteps, batch, units). */
  private zs: Tensor | undefined;
  private zGrad: Tensor | undefined;

  override get activationKind(): ActivationName {
    return this.activation.name;
  }

  constructor(args: SimpleRNNArgs) {
    super(args);
    const activation = args.activation ?? 'tanh';
    if (!RNN_ACTIVATIONS.includes(activation)) {
      throw new ValueError(
        `SimpleRNN: activation must be one of ${RNN_ACTIVATIONS.join(', ')}. Received: activation=${activation}`,
      );
    }
    this.activation = getActivation(activation);
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
    const features = inputShape[1];
    this.kernel = this.addWeight(
      'kernel',
      [features, this.units],
      this.initializers.kernelInitializer,
      rng,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, this.units],
      this.initializers.recurrentInitializer,
      rng,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.units], this.initializers.biasInitializer, rng);
  }

  protected prepareCaches(timesteps: number, batch: number): void {
    this.zs = Tensor.resized(this.zs, [timesteps, batch, this.units]);
    this.zGrad = Tensor.resized(this.zGrad, [batch, this.units]);
  }

  protected forwardStep(t: number, x: Tensor, hPrev: Tensor, h: Tensor): void {
    const batch = x.shape[0],
      features = x.shape[1];
    const z = this.zs!.slab(t);
    kernels.matmul(x, this.kernel.value, z, batch, features, this.units, false);
    kernels.matmul(hPrev, this.recurrentKernel.value, z, batch, this.units, this.units, true);
    if (this.bias) addRowVector(z.data, this.bias.value.data, batch, this.units);
    this.activation.forward(z.data, h.data, batch, this.units);
  }

  // ∂L/∂z_t = ∂L/∂h_t ⊙ f'(z_t);  ∂L/∂K += x_tᵀ·∂L/∂z_t;  ∂L/∂R += h_{t−1}ᵀ·∂L/∂z_t;
  // ∂L/∂b += Σ ∂L/∂z_t;  ∂L/∂x_t = ∂L/∂z_t·Kᵀ;  ∂L/∂h_{t−1} += ∂L/∂z_t·Rᵀ
  protected backwardStep(
    t: number,
    hGrad: Tensor,
    xGrad: Tensor | null,
    hPrevGrad: Tensor | null,
  ): void {
    const batch = hGrad.shape[0],
      features = this.kernel.shape[0],
      units = this.units;
    const z = this.zs!.slab(t),
      h = this.hs!.slab(t + 1),
      hPrev = this.hs!.slab(t),
      x = this.xs!.slab(t);
    const zGrad = this.zGrad!;
    this.activation.backward(z.data, h.data, hGrad.data, zGrad.data, batch, units);
    kernels.matmulTransA(x, zGrad, this.kernel.trainableGrad, features, batch, units, true);
    kernels.matmulTransA(
      hPrev,
      zGrad,
      this.recurrentKernel.trainableGrad,
      units,
      batch,
      units,
      true,
    );
    if (this.bias) sumRowsInto(zGrad.data, this.bias.trainableGrad.data, batch, units);
    if (xGrad) kernels.matmulTransB(zGrad, this.kernel.value, xGrad, batch, units, features, false);
    if (hPrevGrad)
      kernels.matmulTransB(zGrad, this.recurrentKernel.value, hPrevGrad, batch, units, units, true);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name, useBias: this.useBias };
  }
}
