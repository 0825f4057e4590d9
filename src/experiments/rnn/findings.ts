/**
 * What the RNN runs show, read back through the run provider: ‖dh‖ through time from the
 * ThroughTimeProbe's records, the article's per-step clipping applied to them, the engine's clip
 * of the parameter gradient, and the growth against the spectrum of Wh; sentences worded from
 * the numbers.
 *
 * Clipping, honestly. The article clips dh after every step back. The engine's clipper, like
 * PyTorch's clip_grad_norm_ and Keras' global_clipnorm, clips the parameter gradients once per
 * training step, after backpropagation through time: it never rescales ∂L/∂h_t inside the time
 * loop (the GLOBAL_NORM tags record what it did to the parameter gradient). Because the RNN is
 * linear, clipping dh after a step only rescales all of dh by a scalar, and scalars pass through
 * every later step unchanged; so the article's clipped dh after k steps is the engine's
 * unclipped ∂L/∂h after k steps times the running product of the engine's global-norm factor
 * min(1, max_norm/(‖dh‖ + 1e-6)) (clipping.ts `globalClipScale`). That is how the clipped curve
 * is computed from the run.
 */
import { formatNumber as f } from '../../charts/format.js';
import { globalClipScale } from '../../engine/clipping.js';
import { ValueError } from '../../engine/errors.js';
import type { RunProvider } from '../../log/provider.js';
import * as tags from '../../probe/tags.js';
import type { Complex, Matrix } from './linalg.js';
import { eigenvalues2x2, fittedGrowthFactor, singularValues2x2, spectralRadius } from './linalg.js';
import { DEMO_STEP, RNN_LAYER } from './train.js';

/** The demonstration's settings, as the experiment resolved them. */
export interface RnnSettings {
  /** Seed of numpy's legacy generator that drew Wh. */
  seed: number;
  /** Mini-batch size: rows of dh. */
  N: number;
  /** Hidden size. */
  H: number;
  /** Steps back through time. */
  T: number;
  /** Clipping threshold on the total norm (the article's max_norm; the engine's globalClipnorm). */
  maxNorm: number;
  /** The vanishing case uses Wh·(vanishingScale/σmax), so its σmax is this. */
  vanishingScale: number;
}

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

/** One engine run as its records hold it. */
export interface RnnRun {
  /** ‖dh‖ after k steps back, k = 1 … T (index k − 1): ‖∂L/∂h_{T+1−k}‖. */
  totalNorms: number[];
  /** The engine's clipper on the parameter gradient of the step: global norm before and after. */
  parameterClip: { normBefore: number; normAfter: number };
}

export interface RnnResult {
  args: RnnSettings;
  /** The recurrent weight matrix, as rows. */
  wh: number[][];
  /** ‖dh‖/N after each step t = 1 … T (the article's norm_list). */
  norms: number[];
  /** The same with the article's clip_grads(dh, maxNorm) after each step. */
  clippedNorms: number[];
  /** The total ‖dh‖ after each clipped step (what clipping bounds). */
  clippedTotalNorms: number[];
  /** The steps t (1-based) at which clipping scaled dh down. */
  clippedSteps: number[];
  /** What the engine's clipper did to the parameter gradient of the exploding run. */
  parameterClip: { normBefore: number; normAfter: number };
  growth: GrowthAnalysis;
  /** Wh·(vanishingScale/σmax). */
  vanishingWh: number[][];
  vanishingNorms: number[];
  vanishingGrowth: GrowthAnalysis;
}

/** Reads one run: the through-time record of the demonstration step and the clip report. */
export async function readRnnRun(provider: RunProvider, run: string, T: number): Promise<RnnRun> {
  const points = await provider.readScalars(run, tags.throughTimeTag(RNN_LAYER, DEMO_STEP));
  if (points.length !== T + 1) {
    throw new ValueError(
      `readRnnRun: expected ${T + 1} time steps in run '${run}'. Received: ${points.length}`,
    );
  }
  // Record step t holds ‖∂L/∂h_t‖; k steps back from h_{T+1} is t = T + 1 − k, index T − k.
  const totalNorms = Array.from({ length: T }, (_, i) => points[T - 1 - i].value);
  const [before] = await provider.readScalars(run, tags.GLOBAL_NORM_BEFORE_CLIP_TAG);
  const [after] = await provider.readScalars(run, tags.GLOBAL_NORM_AFTER_CLIP_TAG);
  return { totalNorms, parameterClip: { normBefore: before.value, normAfter: after.value } };
}

/**
 * The article's clip_grads after every step, from the unclipped norms of a linear RNN (see the
 * header): returns the total norm after each clipped step and the steps (1-based) it clipped.
 */
export function clippedThroughTime(
  totalNorms: readonly number[],
  maxNorm: number,
): { totals: number[]; clippedSteps: number[] } {
  let scale = 1;
  const totals: number[] = [];
  const clippedSteps: number[] = [];
  totalNorms.forEach((norm, i) => {
    const factor = globalClipScale(scale * norm, maxNorm);
    if (factor < 1) clippedSteps.push(i + 1);
    scale *= factor;
    totals.push(scale * norm);
  });
  return { totals, clippedSteps };
}

export function analyseGrowth(wh: Matrix, norms: readonly number[]): GrowthAnalysis {
  const eigenvalues = eigenvalues2x2(wh);
  return {
    singularValues: singularValues2x2(wh),
    eigenvalues,
    spectralRadius: spectralRadius(eigenvalues),
    stepRatios: norms.slice(1).map((norm, t) => norm / norms[t]),
    fittedGrowth: fittedGrowthFactor(norms),
  };
}

/** The result from the two runs as read back (`exploding` with Wh, `vanishing` with it scaled). */
export function rnnResult(
  args: RnnSettings,
  wh: number[][],
  vanishingWh: number[][],
  exploding: RnnRun,
  vanishing: RnnRun,
): RnnResult {
  const perN = (norm: number) => norm / args.N;
  const norms = exploding.totalNorms.map(perN);
  const clipped = clippedThroughTime(exploding.totalNorms, args.maxNorm);
  const vanishingNorms = vanishing.totalNorms.map(perN);
  return {
    args,
    wh,
    norms,
    clippedNorms: clipped.totals.map(perN),
    clippedTotalNorms: clipped.totals,
    clippedSteps: clipped.clippedSteps,
    parameterClip: exploding.parameterClip,
    growth: analyseGrowth(wh, norms),
    vanishingWh,
    vanishingNorms,
    vanishingGrowth: analyseGrowth(vanishingWh, vanishingNorms),
  };
}

export function rnnFindings(r: RnnResult): string[] {
  const g = r.growth;
  const T = r.args.T;
  const [sigmaMax] = g.singularValues;
  const rho = g.spectralRadius;
  const nearer = Math.abs(g.fittedGrowth - rho) <= Math.abs(g.fittedGrowth - sigmaMax);
  const maxClipped = Math.max(...r.clippedTotalNorms);
  const { normBefore, normAfter } = r.parameterClip;
  return [
    `Without clipping the norm grows from ${f(r.norms[0])} at t = 1 to ${f(r.norms[T - 1])} ` +
      `at t = ${T}: ×${f(g.fittedGrowth)} per step on average (least-squares fit of log norm); ` +
      `single steps range from ×${f(Math.min(...g.stepRatios))} to ×${f(Math.max(...g.stepRatios))}.`,
    nearer
      ? `The fitted growth ${f(g.fittedGrowth)} is close to the spectral radius ` +
        `|λ|max = ${f(rho)} (off by ${f(Math.abs(g.fittedGrowth - rho))}), not to ` +
        `σmax = ${f(sigmaMax)} (off by ${f(Math.abs(g.fittedGrowth - sigmaMax))}): σmax only ` +
        `bounds a single step (‖dh·Whᵀ‖ ≤ σmax‖dh‖), while over many steps ‖Whᵗ‖^(1/t) tends ` +
        `to |λ|max (Gelfand's formula).`
      : `The fitted growth ${f(g.fittedGrowth)} is nearer σmax = ${f(sigmaMax)} than the ` +
        `spectral radius |λ|max = ${f(rho)}: over only ${T} steps dh has not yet aligned with ` +
        `the dominant eigenvector.`,
    r.clippedSteps.length === 0
      ? `The norm never reached max_norm = ${f(r.args.maxNorm)}, so clipping did nothing.`
      : `Clipping (max_norm = ${f(r.args.maxNorm)}) first acts at t = ${r.clippedSteps[0]} and ` +
        `then holds ‖dh‖ at ${f(maxClipped)} or below, i.e. ‖dh‖/N at ${f(maxClipped / r.args.N)}.`,
    normAfter < normBefore
      ? `The engine's global-norm clipper scaled the step's parameter gradient from ` +
        `${f(normBefore)} to ${f(normAfter)}; the gradient through time it was summed from is ` +
        `left as backpropagation made it.`
      : `The step's parameter gradient (global norm ${f(normBefore)}) stayed below ` +
        `max_norm = ${f(r.args.maxNorm)}, so the engine's clipper left it unchanged.`,
    `Scaled so that σmax = ${f(r.vanishingGrowth.singularValues[0])}, the same Wh makes ` +
      `the norm ${r.vanishingGrowth.fittedGrowth < 1 ? 'shrink' : 'grow'} ` +
      `×${f(r.vanishingGrowth.fittedGrowth)} per step, to ${f(r.vanishingNorms[T - 1])} after ` +
      `${T} steps` +
      (r.vanishingNorms[T - 1] < r.norms[0] * 1e-3
        ? ': the gradient vanishes.'
        : `, against ${f(r.norms[0])} at t = 1 without the scaling.`),
  ];
}
