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

/** A sigmoid layer whose mean activation is below this counts as saturated at 0. */
export const SATURATED_MEAN = 0.1;

/** Largest over smallest of per-layer values: 1 when every layer has the same. */
export function spreadAcrossLayers(perLayer: readonly number[]): number {
  return Math.max(...perLayer) / Math.min(...perLayer);
}

export interface TrainedFacts {
  activation: string;
  /** The step the statistics were taken at. */
  step: number;
  /** Spread of the kernel gradients' std across layers, by init. */
  kernelGradSpread: { standard: number; normalized: number };
  /** Variance factor of ∂L/∂s per layer toward the input, by init. */
  gradFactor: { standard: number; normalized: number };
  /** Mean activation of the last hidden layer, by init. */
  topMean: { standard: number; normalized: number };
}

/** What the paper reports during training for `activation`, and whether this run agrees. */
function paperDuringTraining(f: TrainedFacts): string {
  if (f.activation === 'sigmoid') {
    const saturated = f.topMean.standard < SATURATED_MEAN;
    return (
      'Glorot & Bengio (2010) report that with sigmoid and standard init the top hidden layer ' +
      `saturates at 0 early in training; here its mean activation is ${fmt(f.topMean.standard)} ` +
      `(${saturated ? 'below' : 'not below'} ${SATURATED_MEAN}: ` +
      `${saturated ? 'saturated' : 'not saturated'}).`
    );
  }
  const agrees = f.kernelGradSpread.normalized < f.kernelGradSpread.standard;
  return (
    'Glorot & Bengio (2010) report that during training normalized init keeps the variance of ' +
    'the weight gradients the same across layers while standard init does not; here the ' +
    `spread is ${agrees ? 'smaller' : 'not smaller'} with normalized init.`
  );
}

export function trainedFinding(f: TrainedFacts): string {
  return (
    `${f.activation} at update ${f.step}: the std of ∂L/∂W spans a factor ` +
    `${fmt(f.kernelGradSpread.standard)} across the hidden layers with standard init and ` +
    `${fmt(f.kernelGradSpread.normalized)} with normalized init; the variance of ∂L/∂s ` +
    `changes by ${fmt(f.gradFactor.standard)} and ${fmt(f.gradFactor.normalized)} per layer ` +
    'toward the input. ' +
    paperDuringTraining(f)
  );
}
