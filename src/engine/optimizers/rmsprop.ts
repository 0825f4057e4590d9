/**
 * RMSprop (Keras semantics; defaults ρ = 0.9, ε = 1e-7, no momentum, not centered):
 *   v ← ρ·v + (1 − ρ)·g²;  Δ = lr·g/√(v − ḡ² + ε)  (ḡ the running mean of g when centered)
 *   w ← w − Δ, or with momentum μ: s ← μ·s + Δ;  w ← w − s
 */
import { checkDecay, checkPositive } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerArgs } from './optimizer.js';

/** Keras' RMSprop defaults. */
export const RMSPROP_RHO = 0.9;
export const RMSPROP_EPSILON = 1e-7;

export interface RMSpropArgs extends OptimizerArgs {
  /** Decay of the squared-gradient average. Defaults to 0.9. */
  rho?: number;
  /** Defaults to 0. */
  momentum?: number;
  /** Defaults to 1e-7. */
  epsilon?: number;
  /** Divide by the variance instead of the second moment. Defaults to false. */
  centered?: boolean;
}

export class RMSprop extends Optimizer {
  readonly name = 'rmsprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  protected readonly slotCount = 3;

  constructor(args: RMSpropArgs = {}) {
    super(args);
    this.rho = args.rho ?? RMSPROP_RHO;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? RMSPROP_EPSILON;
    this.centered = args.centered ?? false;
    checkDecay('RMSprop', 'rho', this.rho);
    checkDecay('RMSprop', 'momentum', this.momentum);
    checkPositive('RMSprop', 'epsilon', this.epsilon);
  }

  protected update(wt: Tensor, gt: Tensor, slots: Tensor[]): number {
    const w = wt.data,
      g = gt.data,
      [v, mean, s] = slots.map((slot) => slot.data);
    const { rho, momentum, epsilon, learningRate: lr } = this;
    let squared = 0;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      v[i] = rho * v[i] + (1 - rho) * gi * gi;
      let denominator = v[i] + epsilon;
      if (this.centered) {
        mean[i] = rho * mean[i] + (1 - rho) * gi;
        denominator -= mean[i] * mean[i];
      }
      let delta = (lr * gi) / Math.sqrt(denominator);
      if (momentum > 0) delta = s[i] = momentum * s[i] + delta;
      w[i] -= delta;
      squared += delta * delta;
    }
    return squared;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}
