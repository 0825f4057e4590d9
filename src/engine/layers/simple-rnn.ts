/** SimpleRNN: h_t = f(x_t·K + h_{t−1}·R + b), h_0 = 0 (Keras defaults: tanh, orthogonal R). */
import type { ActivationName } from '../activations.js';
import { getActivation } from '../activations.js';
import type { ActivationFunction } from '../activations.js';
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Recurrent } from './recurrent.js';
import type { RecurrentArgs } from './recurrent.js';

export interface SimpleRNNArgs extends RecurrentArgs {
  /** 'tanh' or 'linear' (the article's numpy demo is linear). Defaults to 'tanh'. */
  activation?: 'tanh' | 'linear';
}

const RNN_ACTIVATIONS: readonly ActivationName[] = ['tanh', 'linear'];

export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';
  readonly kind = 'simple_rnn';
  readonly activation: ActivationFunction;
  protected readonly gates = 1;
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
  }

  protected prepareCaches(timesteps: number, batch: number): void {
    this.zs = Tensor.resized(this.zs, [timesteps, batch, this.units]);
    this.zGrad = Tensor.resized(this.zGrad, [batch, this.units]);
  }

  protected forwardStep(t: number, x: Tensor, hPrev: Tensor, h: Tensor): void {
    const z = this.zs!.slab(t);
    this.inputProduct(x, z, this.bias ? this.bias.value.data : null);
    this.recurrentProduct(hPrev, z, true, null);
    this.activation.forward(z.data, h.data, x.shape[0], this.units);
  }

  // ∂L/∂z_t = ∂L/∂h_t ⊙ f'(z_t);  ∂L/∂K += x_tᵀ·∂L/∂z_t;  ∂L/∂R += h_{t−1}ᵀ·∂L/∂z_t;
  // ∂L/∂b += Σ ∂L/∂z_t;  ∂L/∂x_t = ∂L/∂z_t·Kᵀ;  ∂L/∂h_{t−1} += ∂L/∂z_t·Rᵀ
  protected backwardStep(
    t: number,
    hGrad: Tensor,
    xGrad: Tensor | null,
    hPrevGrad: Tensor | null,
  ): void {
    const z = this.zs!.slab(t),
      h = this.hs!.slab(t + 1),
      zGrad = this.zGrad!;
    this.activation.backward(z.data, h.data, hGrad.data, zGrad.data, hGrad.shape[0], this.units);
    const biasGrad = this.bias ? this.bias.trainableGrad.data : null;
    this.inputBackward(this.xs!.slab(t), zGrad, biasGrad, xGrad);
    this.recurrentBackward(this.hs!.slab(t), zGrad, null, hPrevGrad, true);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}
