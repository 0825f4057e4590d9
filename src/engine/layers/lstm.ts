/**
 * LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), as Keras:
 *
 *   [z_i z_f z_c z_o] = x_t·K + h_{t−1}·R + b          (gates side by side: i, f, c, o)
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)        h_0 = c_0 = 0
 *
 * σ is `recurrentActivation`, tanh `activation`. Glass-box extra beside `hiddenGrads`:
 * `cellGrads` keeps ∂L/∂c_t for every t, the path the cell state opens through time.
 */
import { backend } from '../kernels/index.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import { GatedRecurrent } from './recurrent.js';
import type { GatedRecurrentArgs } from './recurrent.js';
import type { TimeSignal } from './layer.js';
import type { Variable } from './variable.js';

export interface LSTMArgs extends GatedRecurrentArgs {
  /** Add 1 to the forget gate's bias at initialization (Jozefowicz et al. 2015). Defaults to true. */
  unitForgetBias?: boolean;
}

export class LSTM extends GatedRecurrent {
  readonly className = 'LSTM';
  readonly kind = 'lstm';
  readonly unitForgetBias: boolean;
  protected readonly gates = 4;
  /** Pre-activations [z_i z_f z_c z_o], time-major (timesteps, batch, 4·units). */
  private zs: Tensor | undefined;
  /** Gate values [i f g o], (timesteps, batch, 4·units). */
  private gateValues: Tensor | undefined;
  /** c_t for t = 0 … T, c_0 = 0: (timesteps + 1, batch, units). */
  private cs: Tensor | undefined;
  /** tanh(c_t) for t = 1 … T: (timesteps, batch, units). */
  private cellOutputs: Tensor | undefined;
  private cGrads: Tensor | undefined;
  private zGrad: Tensor | undefined;

  constructor(args: LSTMArgs) {
    super(args);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  /** ∂L/∂c_t for every step of the last backward pass, (timesteps, batch, units). */
  /** The glass-box contract's signals through time: ∂L/∂h_t, and ∂L/∂c_t of the cell state. */
  override get timeSignals(): readonly TimeSignal[] {
    const cells = this.cellGrads;
    return cells ? [...super.timeSignals, { state: 'cell', grads: cells }] : super.timeSignals;
  }

  get cellGrads(): Tensor | null {
    return this.cGrads ?? null;
  }

  /** Cell states c_1 … c_T of the last forward pass, (timesteps, batch, units). */
  get cellStates(): Tensor | null {
    return this.cs ? this.cs.slabsFrom(1) : null;
  }

  protected override createBias(rng: RandomState): Variable {
    const bias = super.createBias(rng);
    if (this.unitForgetBias) bias.value.data.fill(1, this.units, 2 * this.units);
    return bias;
  }

  protected prepareCaches(timesteps: number, batch: number): void {
    const width = 4 * this.units;
    this.zs = Tensor.resized(this.zs, [timesteps, batch, width]);
    this.gateValues = Tensor.resized(this.gateValues, [timesteps, batch, width]);
    this.cs = Tensor.resized(this.cs, [timesteps + 1, batch, this.units]);
    this.cs.slab(0).fill(0);
    this.cellOutputs = Tensor.resized(this.cellOutputs, [timesteps, batch, this.units]);
    this.cGrads = Tensor.resized(this.cGrads, [timesteps, batch, this.units]);
    this.zGrad = Tensor.resized(this.zGrad, [batch, width]);
  }

  protected forwardStep(t: number, x: Tensor, hPrev: Tensor, h: Tensor): void {
    const zt = this.zs!.slab(t);
    this.inputProduct(x, zt, this.bias ? this.bias.value.data : null);
    this.recurrentProduct(hPrev, zt, true, null);
    backend.gates.lstmForward(
      this.cell,
      zt.data,
      this.gateValues!.slab(t).data,
      this.cs!.slab(t).data,
      this.cs!.slab(t + 1).data,
      this.cellOutputs!.slab(t).data,
      h.data,
      x.shape[0],
      this.units,
    );
  }

  // ∂L/∂c_t = (∂L/∂c_t through c_{t+1}) + ∂L/∂h_t ⊙ o ⊙ tanh'(c_t)
  // ∂L/∂z_i = ∂L/∂c_t ⊙ g ⊙ σ'   ∂L/∂z_f = ∂L/∂c_t ⊙ c_{t−1} ⊙ σ'
  // ∂L/∂z_c = ∂L/∂c_t ⊙ i ⊙ tanh'   ∂L/∂z_o = ∂L/∂h_t ⊙ tanh(c_t) ⊙ σ'
  // ∂L/∂c_{t−1} = ∂L/∂c_t ⊙ f;  then the products as in SimpleRNN, over all four gates.
  protected backwardStep(
    t: number,
    hGrad: Tensor,
    xGrad: Tensor | null,
    hPrevGrad: Tensor | null,
  ): void {
    const cGrads = this.cGrads!;
    // Nothing reaches c_T from above: the layer returns h only.
    if (t === cGrads.shape[0] - 1) cGrads.slab(t).fill(0);
    backend.gates.lstmBackward(
      this.cell,
      this.zs!.slab(t).data,
      this.gateValues!.slab(t).data,
      this.cs!.slab(t).data,
      this.cs!.slab(t + 1).data,
      this.cellOutputs!.slab(t).data,
      hGrad.data,
      cGrads.slab(t).data,
      t > 0 ? cGrads.slab(t - 1).data : null,
      this.zGrad!.data,
      hGrad.shape[0],
      this.units,
    );
    const biasGrad = this.bias ? this.bias.trainableGrad.data : null;
    this.inputBackward(this.xs!.slab(t), this.zGrad!, biasGrad, xGrad);
    this.recurrentBackward(this.hs!.slab(t), this.zGrad!, null, hPrevGrad, true);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}
