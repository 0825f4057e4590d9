/**
 * GRU (Cho et al. 2014), as Keras, gates side by side in the order z, r, h:
 *
 *   resetAfter = true (Keras' default; bias [2, 3·units]: input bias b, recurrent bias b'):
 *     [a_z a_r a_h] = x_t·K + b        [m_z m_r m_h] = h_{t−1}·R + b'
 *     z = σ(a_z + m_z)   r = σ(a_r + m_r)   h̃ = tanh(a_h + r ⊙ m_h)
 *   resetAfter = false (the original form, and tfjs's only one; bias [3·units]):
 *     z, r as above with m = h_{t−1}·R and b' = 0;   h̃ = tanh(a_h + (r ⊙ h_{t−1})·R_h)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃,   h_0 = 0.
 *
 * σ is `recurrentActivation`, tanh `activation`. With resetAfter each step takes one x_t·K and
 * one h_{t−1}·R product; without it the candidate needs a second product, (r ⊙ h_{t−1})·R,
 * taken over all of R's columns (only R_h's are read) since the kernels take whole rows.
 */
import { backend } from '../kernels/index.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import { GatedRecurrent } from './recurrent.js';
import type { GatedRecurrentArgs } from './recurrent.js';
import type { Variable } from './variable.js';

export interface GRUArgs extends GatedRecurrentArgs {
  /** Apply the reset gate after the recurrent product (Keras' and cuDNN's form). Defaults to true. */
  resetAfter?: boolean;
}

export class GRU extends GatedRecurrent {
  readonly className = 'GRU';
  readonly kind = 'gru';
  readonly resetAfter: boolean;
  protected readonly gates = 3;
  /** Pre-activations [a_z+m_z, a_r+m_r, pre_h], time-major (timesteps, batch, 3·units). */
  private pres: Tensor | undefined;
  /** Gate values [z r h̃], (timesteps, batch, 3·units). */
  private gateValues: Tensor | undefined;
  /** h_{t−1}·R (+ b'), (timesteps, batch, 3·units); resetAfter reads m_h in backward. */
  private ms: Tensor | undefined;
  /** r ⊙ h_{t−1}, (timesteps, batch, units); resetAfter = false only. */
  private resetStates: Tensor | undefined;
  /** (r ⊙ h_{t−1})·R for one step, (batch, 3·units); resetAfter = false only. */
  private candidateProduct: Tensor | undefined;
  /** ∂L/∂[a_z a_r a_h] and ∂L/∂[m_z m_r m_h] for one step, (batch, 3·units). */
  private aGrad: Tensor | undefined;
  private mGrad: Tensor | undefined;
  /** ∂L/∂(r ⊙ h_{t−1}) for one step, (batch, units); resetAfter = false only. */
  private resetStateGrad: Tensor | undefined;

  constructor(args: GRUArgs) {
    super(args);
    this.resetAfter = args.resetAfter ?? true;
  }

  protected override createBias(rng: RandomState): Variable {
    if (!this.resetAfter) return super.createBias(rng);
    return this.addWeight('bias', [2, 3 * this.units], this.initializers.biasInitializer, rng);
  }

  /** b (resetAfter: the bias' first row), added to x_t·K; of the bias value or its gradient. */
  private inputBias(of: 'value' | 'grad'): Float32Array | null {
    if (!this.bias) return null;
    const data = of === 'value' ? this.bias.value.data : this.bias.trainableGrad.data;
    return data.subarray(0, 3 * this.units);
  }
  /** b' (resetAfter only: the bias' second row), added to h_{t−1}·R. */
  private recurrentBias(of: 'value' | 'grad'): Float32Array | null {
    if (!this.bias || !this.resetAfter) return null;
    const data = of === 'value' ? this.bias.value.data : this.bias.trainableGrad.data;
    return data.subarray(3 * this.units);
  }

  protected prepareCaches(timesteps: number, batch: number): void {
    const u = this.units,
      width = 3 * u;
    this.pres = Tensor.resized(this.pres, [timesteps, batch, width]);
    this.gateValues = Tensor.resized(this.gateValues, [timesteps, batch, width]);
    this.ms = Tensor.resized(this.ms, [timesteps, batch, width]);
    this.aGrad = Tensor.resized(this.aGrad, [batch, width]);
    this.mGrad = Tensor.resized(this.mGrad, [batch, width]);
    if (this.resetAfter) return;
    this.resetStates = Tensor.resized(this.resetStates, [timesteps, batch, u]);
    this.candidateProduct = Tensor.resized(this.candidateProduct, [batch, width]);
    this.resetStateGrad = Tensor.resized(this.resetStateGrad, [batch, u]);
  }

  protected forwardStep(t: number, x: Tensor, hPrev: Tensor, h: Tensor): void {
    const batch = x.shape[0],
      u = this.units,
      width = 3 * u;
    const pre = this.pres!.slab(t),
      m = this.ms!.slab(t);
    this.inputProduct(x, pre, this.inputBias('value'));
    this.recurrentProduct(hPrev, m, false, this.recurrentBias('value'));
    const p = pre.data,
      gate = this.gateValues!.slab(t).data,
      hp = hPrev.data;
    // resetAfter: pre_h = a_h + r ⊙ m_h; otherwise the product below adds (r ⊙ h_{t−1})·R_h.
    backend.gates.gruGates(this.cell, p, m.data, gate, batch, u, this.resetAfter);
    if (!this.resetAfter) {
      const rh = this.resetStates!.slab(t),
        rhd = rh.data,
        n = this.candidateProduct!;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < u; j++) rhd[b * u + j] = gate[b * width + u + j] * hp[b * u + j];
      }
      this.recurrentProduct(rh, n, false, null);
      const nd = n.data;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < u; j++) p[b * width + 2 * u + j] += nd[b * width + 2 * u + j];
      }
    }
    backend.gates.gruOutput(this.cell, p, gate, hp, h.data, batch, u);
  }

  // ∂L/∂pre_z = ∂L/∂h_t ⊙ (h_{t−1} − h̃) ⊙ σ'     ∂L/∂pre_h = ∂L/∂h_t ⊙ (1 − z) ⊙ tanh'
  // resetAfter:  ∂L/∂pre_r = ∂L/∂pre_h ⊙ m_h ⊙ σ';  ∂L/∂a = [∂pre_z ∂pre_r ∂pre_h],
  //              ∂L/∂m = [∂pre_z ∂pre_r ∂pre_h ⊙ r]
  // otherwise:   ∂L/∂(r⊙h_{t−1}) = [0 0 ∂pre_h]·Rᵀ, ∂L/∂pre_r = that ⊙ h_{t−1} ⊙ σ',
  //              ∂R += (r⊙h_{t−1})ᵀ·[0 0 ∂pre_h], and ∂L/∂m = [∂pre_z ∂pre_r 0]
  // ∂K += x_tᵀ·∂L/∂a;  ∂R += h_{t−1}ᵀ·∂L/∂m;  ∂b += Σ ∂L/∂a;  ∂b' += Σ ∂L/∂m;  ∂L/∂x_t = ∂L/∂a·Kᵀ
  // ∂L/∂h_{t−1} += ∂L/∂h_t ⊙ z + ∂L/∂m·Rᵀ  (+ ∂L/∂(r⊙h_{t−1}) ⊙ r without resetAfter)
  protected backwardStep(
    t: number,
    hGrad: Tensor,
    xGrad: Tensor | null,
    hPrevGrad: Tensor | null,
  ): void {
    const batch = hGrad.shape[0],
      u = this.units;
    const p = this.pres!.slab(t).data,
      md = this.ms!.slab(t).data,
      gate = this.gateValues!.slab(t).data,
      hPrev = this.hs!.slab(t),
      hp = hPrev.data,
      aGrad = this.aGrad!,
      mGrad = this.mGrad!,
      da = aGrad.data,
      dm = mGrad.data;
    const dhPrev = hPrevGrad ? hPrevGrad.data : null;
    const { gates } = backend;
    gates.gruOutputGrad(this.cell, p, gate, hp, hGrad.data, da, dhPrev, batch, u);
    if (this.resetAfter) gates.gruResetAfterGrad(this.cell, p, md, gate, da, dm, batch, u);
    else this.resetBeforeGrad(t, hp, dhPrev);
    this.inputBackward(this.xs!.slab(t), aGrad, this.inputBias('grad'), xGrad);
    this.recurrentBackward(hPrev, mGrad, this.recurrentBias('grad'), hPrevGrad, true);
  }

  /**
   * resetAfter = false, given ∂L/∂a_z and ∂L/∂a_h: ∂L/∂(r⊙h_{t−1}) through R_h (adding its
   * gradient to ∂R), then ∂L/∂a_r, ∂L/∂m = [∂pre_z ∂pre_r 0], and ∂L/∂(r⊙h_{t−1}) ⊙ r into
   * dhPrev.
   */
  private resetBeforeGrad(t: number, hp: Float32Array, dhPrev: Float32Array | null): void {
    const u = this.units,
      width = 3 * u,
      batch = this.aGrad!.shape[0],
      gate = this.gateValues!.slab(t).data,
      p = this.pres!.slab(t).data,
      da = this.aGrad!.data,
      dm = this.mGrad!.data;
    // [0 0 ∂pre_h] first: the product below gives ∂L/∂(r⊙h_{t−1}), which ∂pre_r needs.
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const zi = b * width + j;
        dm[zi] = dm[zi + u] = 0;
        dm[zi + 2 * u] = da[zi + 2 * u];
      }
    }
    this.recurrentBackward(
      this.resetStates!.slab(t),
      this.mGrad!,
      null,
      this.resetStateGrad!,
      false,
    );
    const drh = this.resetStateGrad!.data,
      { gateAct } = this.cell;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const k = b * u + j,
          zi = b * width + j,
          ri = zi + u;
        da[ri] = dm[ri] = drh[k] * hp[k] * gateAct.der(p[ri], gate[ri]);
        dm[zi] = da[zi];
        dm[zi + 2 * u] = 0;
        if (dhPrev) dhPrev[k] += drh[k] * gate[ri];
      }
    }
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }
}
