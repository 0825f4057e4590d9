/**
 * The article's numpy demonstration of exploding gradients through time, reproduced exactly:
 * backpropagating through T steps of an RNN multiplies dh by Whᵀ at every step,
 *
 *   np.random.seed(3); dh = np.ones((N, H)); Wh = np.random.randn(H, H)
 *   for t in range(T): dh = np.dot(dh, Wh.T); norm_list.append(np.sqrt(np.sum(dh**2)) / N)
 *
 * then the same with the article's clip_grads applied to dh after every step, and a vanishing
 * case with Wh scaled down. The article's first listing uses dh before assigning it; the
 * working order above is the one reproduced.
 */
import { checkPositiveInteger, ValueError } from '../../engine/errors.js';
import { l2Norm } from '../../engine/norms.js';
import { RandomState } from '../../engine/random.js';
import {
  type Complex,
  eigenvalues2x2,
  fittedGrowthFactor,
  singularValues2x2,
  spectralRadius,
} from './linalg.js';

export interface RnnArgs {
  /** Seed of numpy's legacy generator that draws Wh. Defaults to 3 (the article's). */
  seed?: number;
  /** Mini-batch size: rows of dh. Defaults to 2. */
  N?: number;
  /** Hidden size; must be 2, the size the closed-form spectra handle. Defaults to 2. */
  H?: number;
  /** Time steps to backpropagate through. Defaults to 20. */
  T?: number;
  /** Clipping threshold on the total norm of dh (the article's max_norm). Defaults to 100. */
  maxNorm?: number;
  /** The vanishing case uses Wh·(vanishingScale/σmax), so its σmax is this. Defaults to 0.5. */
  vanishingScale?: number;
}

const DEFAULTS = { seed: 3, N: 2, H: 2, T: 20, maxNorm: 100, vanishingScale: 0.5 };

/** The article's clip_grads guards the division with this. */
const CLIP_EPSILON = 1e-6;

/** The spectrum of one recurrent matrix and how fast the norm really grew through it. */
export interface GrowthAnalysis {
  /** Largest first. */
  singularValues: [number, number];
  /** Largest modulus first. */
  eigenvalues: [Complex, Complex];
  spectralRadius: number;
  /** normₜ / normₜ₋₁ for t = 2 … T. */
  stepRatios: number[];
  /** exp of the slope of a least-squares line through ln normₜ. */
  fittedGrowth: number;
}

export interface RnnResult {
  args: Required<RnnArgs>;
  /** The recurrent weight matrix, as rows. */
  wh: number[][];
  /** ‖dh‖/N after each step t = 1 … T (the article's norm_list). */
  norms: number[];
  /** The same with clip_grads(dh, maxNorm) after each step. */
  clippedNorms: number[];
  /** The total ‖dh‖ after each clipped step (what clipping bounds). */
  clippedTotalNorms: number[];
  /** The steps t (1-based) at which clipping scaled dh down. */
  clippedSteps: number[];
  growth: GrowthAnalysis;
  /** Wh·(vanishingScale/σmax). */
  vanishingWh: number[][];
  vanishingNorms: number[];
  vanishingGrowth: GrowthAnalysis;
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

/**
 * The article's clip_grads: rate = maxNorm / (‖grad‖ + 1e-6); grad ← grad·rate if rate < 1.
 * Modifies `grad` in place; returns whether it clipped.
 */
function clipGrads(grad: Float64Array, maxNorm: number): boolean {
  const rate = maxNorm / (l2Norm(grad) + CLIP_EPSILON);
  if (rate >= 1) return false;
  for (let i = 0; i < grad.length; i++) grad[i] *= rate;
  return true;
}

/**
 * Backpropagates ones(N, H) through T steps of Wh, clipping after each step when maxNorm is
 * given; returns ‖dh‖ after each step and the steps (1-based) where clipping acted.
 */
function backprop(wh: number[][], N: number, T: number, maxNorm?: number) {
  let dh: Float64Array = new Float64Array(N * wh.length).fill(1);
  const norms: number[] = [];
  const clippedSteps: number[] = [];
  for (let t = 1; t <= T; t++) {
    dh = stepBack(dh, wh);
    if (maxNorm !== undefined && clipGrads(dh, maxNorm)) clippedSteps.push(t);
    norms.push(l2Norm(dh));
  }
  return { norms, clippedSteps };
}

function analyseGrowth(wh: number[][], norms: readonly number[]): GrowthAnalysis {
  const eigenvalues = eigenvalues2x2(wh);
  return {
    singularValues: singularValues2x2(wh),
    eigenvalues,
    spectralRadius: spectralRadius(eigenvalues),
    stepRatios: norms.slice(1).map((norm, t) => norm / norms[t]),
    fittedGrowth: fittedGrowthFactor(norms),
  };
}

function resolveArgs(args: RnnArgs): Required<RnnArgs> {
  const resolved = { ...DEFAULTS, ...args };
  checkPositiveInteger('runRnnExperiment', 'N', resolved.N);
  checkPositiveInteger('runRnnExperiment', 'T', resolved.T);
  if (resolved.T < 2) {
    throw new ValueError(`runRnnExperiment: T must be at least 2. Received: T=${resolved.T}`);
  }
  if (resolved.H !== 2) {
    throw new ValueError(`runRnnExperiment: H must be 2. Received: H=${resolved.H}`);
  }
  for (const field of ['maxNorm', 'vanishingScale'] as const) {
    if (!(resolved[field] > 0)) {
      throw new ValueError(
        `runRnnExperiment: ${field} must be positive. Received: ${field}=${resolved[field]}`,
      );
    }
  }
  return resolved;
}

/** Runs the exploding, clipped and vanishing cases. Pure: same args, same numbers. */
export function runRnnExperiment(args: RnnArgs = {}): RnnResult {
  const resolved = resolveArgs(args);
  const { seed, N, H, T, maxNorm, vanishingScale } = resolved;
  // numpy draws Wh after dh = ones(...), which consumes no random numbers.
  const flat = new RandomState(seed).randn(H, H);
  const wh = Array.from({ length: H }, (_, i) => Array.from(flat.subarray(i * H, (i + 1) * H)));
  const norms = backprop(wh, N, T).norms.map((norm) => norm / N);
  const clipped = backprop(wh, N, T, maxNorm);
  const growth = analyseGrowth(wh, norms);
  const shrink = vanishingScale / growth.singularValues[0];
  const vanishingWh = wh.map((row) => row.map((w) => w * shrink));
  const vanishingNorms = backprop(vanishingWh, N, T).norms.map((norm) => norm / N);
  return {
    args: resolved,
    wh,
    norms,
    clippedNorms: clipped.norms.map((norm) => norm / N),
    clippedTotalNorms: clipped.norms,
    clippedSteps: clipped.clippedSteps,
    growth,
    vanishingWh,
    vanishingNorms,
    vanishingGrowth: analyseGrowth(vanishingWh, vanishingNorms),
  };
}
