/**
 * `vanishing_gradient`: the first layers, or the first time steps of a recurrent layer, receive
 * almost no gradient.
 *
 * Across layers:
 * - ratio 1e-3 and firstNorm 1e-4: ‖g_first‖/‖g_last‖ below 1e-3 and ‖g_first‖ below 1e-4, both
 *   in the median over the run's steps (AUTOTRAINER, ICSE 2021). The ratio alone gives a
 *   warning: the first layer learns 1000× slower than the last, whatever the scale.
 *
 * Through time (through-time.ts), with the time steps in place of the layers:
 * - timeRatio 1e-3 and timeFirstNorm 1e-4: ‖∂L/∂h_1‖/‖∂L/∂h_T‖ of the latest profile below 1e-3,
 *   and ‖∂L/∂h_1‖ below 1e-4 for an error (AUTOTRAINER's ratios; the product of Jacobians that
 *   makes the ratio geometric in T: Bengio, Simard & Frasconi 1994; Pascanu et al. 2013). A
 *   ratio below 1e-3 leaves the first step's inputs a thousandth of the last one's say in the
 *   update, which is how a plain RNN fails to learn dependencies T steps long.
 */
import type { Rule, Verdict } from '../rule.js';
import { verdictOf } from '../rule.js';
import type { RunData } from '../run-data.js';
import { round, show } from '../series.js';
import { compared, firstLastEvidence, firstLastGradients } from './gradient-norms.js';
import { THROUGH_TIME_TAGS_NEEDED, timeGradients, timeVerdict } from './through-time.js';

const LAYER_REMEDY = {
  gradscope: 'use --activation relu (and --optimizer adam, which scales each parameter’s step)',
  general:
    'replace sigmoid/tanh by ReLU-family activations, use He initialization, add batch normalization or residual connections; Adam adapts per-parameter step sizes',
};

/** For a layer with a cell state (an LSTM), already gated. */
const GATED_TIME_REMEDY = {
  gradscope:
    'shorten the sequences (gradscope sequence --lengths 10,50) or compare the other gated cell (--models gru)',
  general:
    'initialize the forget gate’s bias to 1 (Keras unit_forget_bias=True; PyTorch: set the forget slice of bias_ih to 1), shorten the backpropagation window (truncated BPTT), or compare a GRU',
};

const TIME_REMEDY = {
  gradscope:
    'use a gated cell (gradscope sequence --models gru,lstm) or shorter sequences (gradscope sequence --lengths 10; gradscope rnn --steps 10); in the rnn demo, a recurrent kernel with σmax nearer 1 (--vanishing-scale 1)',
  general:
    'replace the plain RNN by a gated cell (PyTorch nn.LSTM/nn.GRU; Keras layers.LSTM/GRU), shorten the backpropagation window (truncated BPTT), or initialize the recurrent kernel orthogonally',
};

export const vanishingGradient: Rule = {
  name: 'vanishing_gradient',
  summary: 'the first layers, or the first time steps, receive a vanishing share of the gradient',
  thresholds: {
    ratio: {
      value: 1e-3,
      anchor: 'AUTOTRAINER (ICSE 2021)',
      meaning: 'median ‖g_first‖/‖g_last‖ below this',
    },
    firstNorm: {
      value: 1e-4,
      anchor: 'AUTOTRAINER (ICSE 2021)',
      meaning: 'median ‖g_first‖ below this (error)',
    },
    timeRatio: {
      value: 1e-3,
      anchor: 'AUTOTRAINER (ICSE 2021) over time steps; Bengio et al. 1994, Pascanu et al. 2013',
      meaning: '‖∂L/∂h_1‖/‖∂L/∂h_T‖ of the latest profile below this',
    },
    timeFirstNorm: {
      value: 1e-4,
      anchor: 'AUTOTRAINER (ICSE 2021) over time steps',
      meaning: '‖∂L/∂h_1‖ below this (error)',
    },
  },
  check(run, limits) {
    const layers = firstLastGradients(run);
    const times = timeGradients(run);
    if (typeof layers === 'string' && times.length === 0) {
      return { skipped: `${layers}; nor ${THROUGH_TIME_TAGS_NEEDED}` };
    }
    const verdicts: Verdict[] = [];
    if (typeof layers !== 'string' && layers.ratio < limits.ratio) {
      const { first, pairs, ratio, firstNorm } = layers;
      const { steps } = pairs;
      verdicts.push(
        verdictOf(this, run, {
          severity: firstNorm < limits.firstNorm ? 'error' : 'warning',
          layer: first.name,
          firstStep: steps[0],
          lastStep: steps[steps.length - 1],
          evidence: {
            medianRatio: round(ratio),
            ratioThreshold: limits.ratio,
            medianFirstNorm: round(firstNorm),
            firstNormThreshold: limits.firstNorm,
            ...firstLastEvidence(layers),
          },
          message: `${compared(layers, `${show(ratio)} of`)} (median ${layers.quantity === 'signal' ? '‖∂L/∂a‖' : '‖g‖'} ${show(firstNorm)} over ${steps.length} steps)`,
          remedy: LAYER_REMEDY,
        }),
      );
    }
    verdicts.push(...timeVerdicts(this, run, limits));
    return { verdicts };
  },
};

function timeVerdicts(
  rule: Rule,
  run: RunData,
  limits: Readonly<Record<string, number>>,
): Verdict[] {
  return timeGradients(run)
    .filter((m) => m.ratio < limits.timeRatio)
    .map((m) =>
      timeVerdict(rule, run, m, {
        severity: m.earliest < limits.timeFirstNorm ? 'error' : 'warning',
        does: 'vanishes',
        threshold: limits.timeRatio,
        thresholds: { ratioThreshold: limits.timeRatio, firstNormThreshold: limits.timeFirstNorm },
        remedy: m.hasCellState ? GATED_TIME_REMEDY : TIME_REMEDY,
      }),
    );
}
