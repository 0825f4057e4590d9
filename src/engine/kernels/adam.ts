/**
 * Adam's update over a whole tensor: SIMD (assembly/adam.ts) and the plain-TypeScript
 * reference that defines it.
 */
import type { Tensor } from '../tensor.js';
import { vectorWasm } from './vector-wasm.js';

export interface AdamStep {
  /** lr·√(1 − β2ᵗ)/(1 − β1ᵗ), the bias-corrected step size. */
  lrT: number;
  /** 1 − β1. */
  a1: number;
  /** 1 − β2. */
  a2: number;
  epsilon: number;
}

/**
 * m += (g − m)·a1;  v += (g² − v)·a2;  Δ = lrT·m/(√v + ε);  w −= Δ. With `measure`, returns
 * Σ Δ² (else 0).
 */
export type AdamKernel = (
  w: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  step: AdamStep,
  measure: boolean,
) => number;

export const referenceAdam: AdamKernel = (wt, gt, mt, vt, { lrT, a1, a2, epsilon }, measure) => {
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
  return measure ? squared : 0;
};

export const simdAdam: AdamKernel = (w, g, m, v, { lrT, a1, a2, epsilon }, measure) =>
  vectorWasm.adamUpdate(w.ptr, g.ptr, m.ptr, v.ptr, w.size, lrT, a1, a2, epsilon, measure ? 1 : 0);
