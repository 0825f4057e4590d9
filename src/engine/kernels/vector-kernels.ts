/**
 * Loops over whole tensors behind one interface, SIMD (assembly/vector.ts) and the plain-
 * TypeScript reference that defines them: optimizer updates, each returning Σ Δw², and Σ x².
 */
import { heap } from '../heap.js';
import type { Tensor } from '../tensor.js';
import { instantiateWasm } from './wasm.js';

export interface AdamStep {
  /** lr·√(1 − β2ᵗ)/(1 − β1ᵗ), the bias-corrected step size. */
  lrT: number;
  /** 1 − β1. */
  a1: number;
  /** 1 − β2. */
  a2: number;
  epsilon: number;
}

export interface VectorKernels {
  /** m += (g − m)·a1;  v += (g² − v)·a2;  Δ = lrT·m/(√v + ε);  w −= Δ. Returns Σ Δ². */
  adam(w: Tensor, g: Tensor, m: Tensor, v: Tensor, step: AdamStep): number;
  /** Σ x² over the tensor, in float64: NaN or Infinity exactly when an element is. */
  sumOfSquares(x: Tensor): number;
  /**
   * out[b·size + p] = images[indices[b]·size + p] / 255 for b < count: a batch of byte images
   * gathered and scaled. Arguments are heap byte addresses (uint8 images, int32 indices,
   * float32 out).
   */
  gatherBytesScaled: GatherBytes;
}

/** The gather's signature, shared by the interface and the wasm export it calls as is. */
type GatherBytes = (
  images: number,
  indices: number,
  count: number,
  size: number,
  out: number,
) => void;

export const referenceVectorKernels: VectorKernels = {
  adam(wt, gt, mt, vt, { lrT, a1, a2, epsilon }) {
    const w = wt.data,
      g = gt.data,
      m = mt.data,
      v = vt.data;
    let squared = 0;
    for (let i = 0; i < w.length; i++) {
      m[i] += (g[i] - m[i]) * a1;
      v[i] += (g[i] * g[i] - v[i]) * a2;
      const delta = (lrT * m[i]) / (Math.sqrt(v[i]) + epsilon);
      w[i] -= delta;
      squared += delta * delta;
    }
    return squared;
  },
  sumOfSquares(t) {
    const x = t.data;
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
    return sum;
  },
  gatherBytesScaled(images, indices, count, size, out) {
    const buffer = heap.memory.buffer;
    const index = new Int32Array(buffer, indices, count);
    const target = new Float32Array(buffer, out, count * size);
    for (let b = 0; b < count; b++) {
      const pixels = new Uint8Array(buffer, images + index[b] * size, size);
      for (let p = 0; p < size; p++) target[b * size + p] = pixels[p] / 255;
    }
  },
};

interface VectorExports {
  adamUpdate(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lrT: number,
    a1: number,
    a2: number,
    eps: number,
  ): number;
  sumOfSquares(x: number, n: number): number;
  gatherBytesScaled: GatherBytes;
}

const wasm = instantiateWasm<VectorExports>('vector.wasm');

export const simdVectorKernels: VectorKernels = {
  adam: (w, g, m, v, { lrT, a1, a2, epsilon }) =>
    wasm.adamUpdate(w.ptr, g.ptr, m.ptr, v.ptr, w.size, lrT, a1, a2, epsilon),
  sumOfSquares: (x) => wasm.sumOfSquares(x.ptr, x.size),
  gatherBytesScaled: wasm.gatherBytesScaled,
};

export const vectorKernels: VectorKernels =
  process.env.GRADSCOPE_KERNELS === 'reference' ? referenceVectorKernels : simdVectorKernels;
