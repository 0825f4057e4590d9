/**
 * The article's numpy demonstration as a plain float64 computation, the reference the engine
 * run is tested against (and the one the numpy literals are checked on):
 *
 *   np.random.seed(3); dh = np.ones((N, H)); Wh = np.random.randn(H, H)
 *   for t in range(T): dh = np.dot(dh, Wh.T); norm_list.append(np.sqrt(np.sum(dh**2)) / N)
 *
 * then the same with the article's clip_grads applied to dh after every step, and a vanishing
 * case with Wh scaled down. Deliberately shares no code with the engine.
 */
import { RandomState } from '../../src/engine/random.js';

export interface ReferenceResult {
  wh: number[][];
  /** ‖dh‖/N after each step t = 1 … T. */
  norms: number[];
  clippedNorms: number[];
  clippedTotalNorms: number[];
  clippedSteps: number[];
  vanishingWh: number[][];
  vanishingNorms: number[];
}

/** dh ← dh · Whᵀ for dh of shape (N, H), row-major. */
function stepBack(dh: Float64Array, wh: readonly (readonly number[])[]): Float64Array {
  const h = wh.length;
  const next = new Float64Array(dh.length);
  for (let row = 0; row < dh.length / h; row++) {
    for (let i = 0; i < h; i++) {
      let sum = 0;
      for (let j = 0; j < h; j++) sum += dh[row * h + j] * wh[i][j];
      next[row * h + i] = sum;
    }
  }
  return next;
}

function norm(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum);
}

/** The article's clip_grads: rate = maxNorm / (‖grad‖ + 1e-6); grad ← grad·rate if rate < 1. */
function clipGrads(grad: Float64Array, maxNorm: number): boolean {
  const rate = maxNorm / (norm(grad) + 1e-6);
  if (rate >= 1) return false;
  for (let i = 0; i < grad.length; i++) grad[i] *= rate;
  return true;
}

function backprop(wh: number[][], N: number, T: number, maxNorm?: number) {
  let dh: Float64Array = new Float64Array(N * wh.length).fill(1);
  const norms: number[] = [];
  const clippedSteps: number[] = [];
  for (let t = 1; t <= T; t++) {
    dh = stepBack(dh, wh);
    if (maxNorm !== undefined && clipGrads(dh, maxNorm)) clippedSteps.push(t);
    norms.push(norm(dh));
  }
  return { norms, clippedSteps };
}

/** 2×2 largest singular value, closed form. */
function sigmaMax(m: number[][]): number {
  const [[a, b], [c, d]] = m;
  return Math.hypot(a + d, c - b) / 2 + Math.hypot(a - d, c + b) / 2;
}

export function referenceRnn({ seed = 3, N = 2, H = 2, T = 20, maxNorm = 100, scale = 0.5 } = {}) {
  const flat = new RandomState(seed).randn(H, H);
  const wh = Array.from({ length: H }, (_, i) => Array.from(flat.subarray(i * H, (i + 1) * H)));
  const clipped = backprop(wh, N, T, maxNorm);
  const vanishingWh = wh.map((row) => row.map((w) => (w * scale) / sigmaMax(wh)));
  const result: ReferenceResult = {
    wh,
    norms: backprop(wh, N, T).norms.map((n) => n / N),
    clippedNorms: clipped.norms.map((n) => n / N),
    clippedTotalNorms: clipped.norms,
    clippedSteps: clipped.clippedSteps,
    vanishingWh,
    vanishingNorms: backprop(vanishingWh, N, T).norms.map((n) => n / N),
  };
  return result;
}
