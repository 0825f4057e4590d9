/**
 * `exploding_gradient`: gradients that grow from the output side towards the input side, or
 * over training.
 *
 * - layerRatio 70: ‖g_first‖/‖g_last‖ of the first and last weight parameters above it, in
 *   the median over the run's steps (AUTOTRAINER, ICSE 2021: exploding when the ratio > 70);
 * - growth 100: the global gradient norm's largest finite value over its median in the first
 *   10% of steps (gradscope zoo: healthy runs stay below 10; exploding ones pass 1e3);
 * - norm 100: the global gradient norm's median over the first 10% of steps above it, for
 *   runs that start exploded (gradscope zoo: healthy zoo runs start below 3, over-scaled
 *   initializations above 800). Overridable for losses of a larger scale (e.g. unnormalized
 *   regression targets);
 * - timeRatio 70: through time (through-time.ts), ‖∂L/∂h_1‖/‖∂L/∂h_T‖ of a recurrent layer's
 *   latest profile above it (AUTOTRAINER's 70, with the time steps in place of the layers: the
 *   gradient grows geometrically with T when the Jacobians' factor exceeds 1, Bengio, Simard &
 *   Frasconi 1994; Pascanu, Mikolov & Bengio 2013, who clip the gradient's norm against it).
 */
import type { Rule, Verdict } from '../rule.js';
import { verdictOf } from '../rule.js';
import { finiteMedianOf } from '../../log/series-kernels.js';
import { finiteCount, finiteMax, round, show, spanLength, stepsWhere } from '../series.js';
import {
  compared,
  firstLastEvidence,
  firstLastGradients,
  GRADIENT_TAGS_NEEDED,
  globalGradientNorm,
  SIGNAL_TAGS_NEEDED,
} from './gradient-norms.js';
import { THROUGH_TIME_TAGS_NEEDED, timeGradients, timeVerdict } from './through-time.js';

const TIME_REMEDY = {
  gradscope:
    'bound the update by clipping its global norm (gradscope rnn --max-norm 1; titanic and fashion: --clip-global-norm 1), or use a gated cell (gradscope sequence --models gru,lstm)',
  general:
    'clip the global gradient norm (PyTorch: torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); Keras: clipnorm=1.0), scale the recurrent kernel to a spectral radius below 1 (orthogonal initialization), or use a gated cell (LSTM/GRU)',
};

const REMEDY = {
  gradscope:
    'clip the gradients with --clip-global-norm 1; if it persists, lower --learning-rate (e.g. 1e-3) or the initial weights',
  general:
    'clip the global gradient norm (PyTorch: torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); Keras: clipnorm=1.0), lower the learning rate, or use a smaller initialization (Glorot/He) with normalization layers',
};

export const explodingGradient: Rule = {
  name: 'exploding_gradient',
  summary: 'gradients growing towards the input layers or over training',
  thresholds: {
    layerRatio: {
      value: 70,
      anchor: 'AUTOTRAINER (ICSE 2021)',
      meaning: 'median ‖g_first‖/‖g_last‖ above this',
    },
    growth: {
      value: 100,
      anchor: 'gradscope zoo',
      meaning: 'max ‖g‖ over its early median above this',
    },
    norm: { value: 100, anchor: 'gradscope zoo', meaning: 'early median global ‖g‖ above this' },
    timeRatio: {
      value: 70,
      anchor: 'AUTOTRAINER (ICSE 2021) over time steps; Bengio et al. 1994, Pascanu et al. 2013',
      meaning: '‖∂L/∂h_1‖/‖∂L/∂h_T‖ of the latest profile above this',
    },
  },
  check(run, limits) {
    const global = globalGradientNorm(run);
    const times = timeGradients(run);
    const measured = firstLastGradients(run);
    if (global === undefined && times.length === 0 && typeof measured === 'string') {
      return {
        skipped: `needs ${GRADIENT_TAGS_NEEDED}, or ${SIGNAL_TAGS_NEEDED}, or ${THROUGH_TIME_TAGS_NEEDED}; found none`,
      };
    }
    // Listed after the layer and global-norm verdicts.
    const through: Verdict[] = times
      .filter((m) => m.ratio > limits.timeRatio)
      .map((m) =>
        timeVerdict(this, run, m, {
          severity: 'error',
          does: 'explodes',
          threshold: limits.timeRatio,
          thresholds: { threshold: limits.timeRatio },
          remedy: TIME_REMEDY,
        }),
      );
    // A recurrent run's remedies are its own: --max-norm, gated cells (not every command clips).
    const remedy = times.length > 0 ? TIME_REMEDY : REMEDY;
    const verdicts: Verdict[] = [];
    if (typeof measured !== 'string' && measured.ratio > limits.layerRatio) {
      const { first, pairs, ratio } = measured;
      const over = stepsWhere(
        { steps: pairs.steps, values: pairs.a.map((a, i) => a / pairs.b[i]) },
        (r) => r > limits.layerRatio,
      )!;
      verdicts.push(
        verdictOf(this, run, {
          severity: 'error',
          layer: first.name,
          firstStep: over.first,
          lastStep: over.last,
          evidence: {
            medianRatio: round(ratio),
            threshold: limits.layerRatio,
            ...firstLastEvidence(measured),
          },
          message: `${compared(measured, `${show(ratio)}×`)} (median over ${pairs.steps.length} steps; threshold ${limits.layerRatio})`,
          remedy,
        }),
      );
    }
    if (global === undefined) return { verdicts: [...verdicts, ...through] };
    const norms = global.columns.values;
    const finite = finiteCount(norms);
    // One step is enough to start exploded (the rnn experiment's single backward pass); growth
    // needs two.
    if (finite >= 1) {
      // NaN (no verdict of these two) when the first 10% hold no finite norm.
      const early = finiteMedianOf(norms.subarray(0, spanLength(norms.length, 0.1)));
      const peak = finiteMax(norms);
      const growth = peak / early;
      if (early > limits.norm) {
        const over = stepsWhere(global.columns, (value) => value > limits.norm)!;
        verdicts.push(
          verdictOf(this, run, {
            severity: 'error',
            layer: null,
            firstStep: over.first,
            lastStep: over.last,
            evidence: {
              earlyNorm: round(early),
              threshold: limits.norm,
              peakNorm: round(peak),
              tag: global.tag,
            },
            message: `the gradient norm is ${show(early)} from the start (median of the first 10% of steps; threshold ${limits.norm})`,
            remedy,
          }),
        );
      } else if (finite >= 2 && early > 0 && growth > limits.growth) {
        const peakStep = global.columns.steps[norms.indexOf(peak)];
        const over = stepsWhere(global.columns, (value) => value / early > limits.growth)!;
        verdicts.push(
          verdictOf(this, run, {
            severity: 'error',
            layer: null,
            firstStep: over.first,
            lastStep: peakStep,
            evidence: {
              growth: round(growth),
              threshold: limits.growth,
              earlyNorm: round(early),
              peakNorm: round(peak),
              tag: global.tag,
            },
            message: `the gradient norm grew ${show(growth)}× (from ${show(early)} early on to ${show(peak)} at step ${peakStep})`,
            remedy,
          }),
        );
      }
    }
    return { verdicts: [...verdicts, ...through] };
  },
};
