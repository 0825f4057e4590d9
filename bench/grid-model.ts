/**
 * The grid benchmark's model: the article's Fashion-MNIST architecture (Flatten →
 * 3×Dense(units) → BatchNormalization → 3×Dense(units) → Dropout(0.25) → Dense(10, softmax);
 * relu; Adam; sparse categorical cross-entropy) with the width as a parameter, plus the
 * matrix products one training step runs, for FLOP counts and kernel-only timings.
 */
import type { Sequential } from '../src/engine/sequential.js';
import { buildFashionModel } from '../src/experiments/fashion/model.js';

/** Pixels per Fashion-MNIST image. */
export const IMAGE_SIZE = 784;
export const CLASSES = 10;
/** Hidden Dense layers: three before BatchNormalization, three after. */
export const HIDDEN_LAYERS = 6;

export function buildGridModel(units: number, seed = 0): Sequential {
  return buildFashionModel({ activation: 'relu', units, seed, name: `grid_${units}` });
}

export interface StepProduct {
  op: 'matmul' | 'matmulTransA' | 'matmulTransB';
  m: number;
  k: number;
  n: number;
}

/**
 * The products of one training step at `batch`: per Dense layer (in → out) the forward
 * x·W (batch×in×out), the kernel gradient xᵀ·∂L/∂z (in×batch×out) and, above the first
 * layer, the input gradient ∂L/∂z·Wᵀ (batch×out×in).
 */
export function stepProducts(units: number, batch: number): StepProduct[] {
  const widths = [IMAGE_SIZE, ...Array<number>(HIDDEN_LAYERS).fill(units), CLASSES];
  const products: StepProduct[] = [];
  for (let layer = 0; layer + 1 < widths.length; layer++) {
    const [inputs, outputs] = [widths[layer], widths[layer + 1]];
    products.push({ op: 'matmul', m: batch, k: inputs, n: outputs });
    products.push({ op: 'matmulTransA', m: inputs, k: batch, n: outputs });
    if (layer > 0) products.push({ op: 'matmulTransB', m: batch, k: outputs, n: inputs });
  }
  return products;
}

export function productFlops(products: readonly StepProduct[]): number {
  return products.reduce((sum, { m, k, n }) => sum + 2 * m * k * n, 0);
}
