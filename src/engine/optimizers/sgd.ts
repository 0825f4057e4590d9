/**
 * SGD with optional momentum (Keras semantics):
 *   v ← μ·v − lr·g;  w ← w + v            (momentum)
 *   w ← w + μ·v − lr·g                     (nesterov)
 *   w ← w − lr·g                           (μ = 0)
 */
import { checkDecay } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerArgs } from './optimizer.js';

/** Keras' SGD default learning rate. */
export const SGD_LEARNING_RATE = 0.01;

export interface SGDArgs extends OptimizerArgs {
  /** μ in [0, 1]. Defaults to 0. */
  momentum?: number;
  /** Nesterov momentum. Defaults to false. */
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;
  protected readonly slotCount: number;

  constructor(args: SGDArgs = {}) {
    super(args, SGD_LEARNING_RATE);
    this.momentum = args.momentum ?? 0;
    checkDecay('SGD', 'momentum', this.momentum);
    this.nesterov = args.nesterov ?? false;
    this.slotCount = this.momentum > 0 ? 1 : 0;
  }

  protected update(wt: Tensor, gt: Tensor, slots: Tensor[]): number {
    const w = wt.data,
      g = gt.data,
      v = slots[0]?.data;
    const lr = this.learningRate,
      mu = this.momentum;
    let squared = 0;
    for (let i = 0; i < w.length; i++) {
      let delta = -lr * g[i];
      if (mu > 0) {
        v[i] = mu * v[i] - lr * g[i];
        delta = this.nesterov ? mu * v[i] - lr * g[i] : v[i];
      }
      w[i] += delta;
      squared += delta * delta;
    }
    return squared;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
