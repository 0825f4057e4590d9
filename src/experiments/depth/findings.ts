/** What the depth runs show, computed from their per-layer statistics (never asserted). */
import { formatNumber as fmt } from '../../charts/format.js';

/**
 * Glorot & Bengio's linear-regime prediction for standard init: each layer scales the
 * variance of the backpropagated gradient by n·Var(W) = n·(1/(3n)) = 1/3.
 */
export const STANDARD_VARIANCE_FACTOR = 1 / 3;
/** He et al.: with Glorot init a ReLU layer halves the signal's variance. */
export const GLOROT_RELU_VARIANCE_FACTOR = 1 / 2;
/** A He run counts as converged when its last epoch's loss is below this share of ln 10. */
export const CONVERGED_SHARE = 0.75;
const CHANCE_LOSS = Math.log(10);

/**
 * The geometric mean over consecutive layers of (x_k / x_{k+1})², input side first: the
 * factor by which the variance changes per layer on the way down to the input.
 */
export function varianceFactorPerLayer(perLayer: readonly number[]): number {
  const n = perLayer.length - 1;
  return (perLayer[0] / perLayer[n]) ** (2 / n);
}

export function converged(epochLoss: readonly number[]): boolean {
  const last = epochLoss[epochLoss.length - 1];
  return Number.isFinite(last) && last < CONVERGED_SHARE * CHANCE_LOSS;
}

export interface GlorotFacts {
  activation: string;
  standard: number;
  normalized: number;
}

export function glorotFinding(f: GlorotFacts): string {
  return (
    `${f.activation}: at initialization the variance of ∂L/∂s changes by a factor ` +
    `${fmt(f.standard)} per layer toward the input with standard init and ` +
    `${fmt(f.normalized)} with normalized init. Glorot & Bengio (2010) derive 1/3 per layer ` +
    'for standard init in the linear regime and 1 for normalized init.'
  );
}

export interface HeFacts {
  init: string;
  /** Variance factor per layer of ‖∂L/∂a‖ toward the input at step 0. */
  signalFactor: number;
  epochLoss: number[];
}

export function heFinding(f: HeFacts): string {
  const last = f.epochLoss[f.epochLoss.length - 1];
  return (
    `${f.init} init: the backprop signal's variance changes by ${fmt(f.signalFactor)} per layer ` +
    `toward the input at step 0; last-epoch loss ${fmt(last)} (` +
    (converged(f.epochLoss) ? 'converged' : 'did not converge') +
    `: threshold ${fmt(CONVERGED_SHARE * CHANCE_LOSS)}, chance ${fmt(CHANCE_LOSS)}). ` +
    (f.init === 'glorot'
      ? `He et al. (2015) derive ${GLOROT_RELU_VARIANCE_FACTOR} per ReLU layer with Glorot init and report that their 30-layer model did not converge with it.`
      : 'He et al. (2015) derive 1 per layer with their init and report that the 30-layer model converges.')
  );
}
