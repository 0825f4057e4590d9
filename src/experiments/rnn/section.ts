/** The report section of the RNN experiment: figures and tables from the runs as read back. */
import { lineChart } from '../../charts/line.js';
import { formatNumber as f } from '../../charts/format.js';
import type { ReportSection, Table } from '../../report/types.js';
import type { Complex } from './linalg.js';
import { rnnFindings } from './findings.js';
import type { GrowthAnalysis, RnnResult } from './findings.js';

function complex(z: Complex): string {
  if (z.im === 0) return f(z.re);
  return `${f(z.re)} ${z.im < 0 ? '−' : '+'} ${f(Math.abs(z.im))}i`;
}

function normsFigure(r: RnnResult) {
  const limit = r.args.maxNorm / r.args.N;
  const data = [
    ...r.norms.map((norm, i) => ({ t: i + 1, norm, run: 'no clipping' })),
    ...r.clippedNorms.map((norm, i) => ({ t: i + 1, norm, run: 'clipped' })),
  ];
  return {
    id: 'rnn-norms',
    title: 'Gradient norm through time, with and without clipping',
    caption:
      `‖dh‖/N after each step back through Wh (log scale), unclipped and with the article's ` +
      `clip_grads after every step; the dashed line is max_norm/N = ${f(limit)}.`,
    spec: lineChart({
      title: 'Backpropagation through time: ‖dh‖ / N',
      x: { field: 't', title: 'time step t', format: 'd' },
      y: { field: 'norm', title: '‖dh‖ / N', scale: 'log' },
      series: 'run',
      data,
      points: true,
      rules: [{ value: limit, label: `max_norm / N = ${f(limit)}` }],
    }),
  };
}

function ratiosFigure(r: RnnResult) {
  const g = r.growth;
  return {
    id: 'rnn-step-ratios',
    title: 'Growth per step against the spectrum of Wh',
    caption:
      'normₜ / normₜ₋₁ for each step, with the largest and smallest singular values of Wh and ' +
      'its spectral radius |λ|max as reference lines.',
    spec: lineChart({
      title: 'Growth factor per step',
      x: { field: 't', title: 'time step t', format: 'd' },
      y: { field: 'ratio', title: 'normₜ / normₜ₋₁', zero: false },
      data: g.stepRatios.map((ratio, i) => ({ t: i + 2, ratio })),
      points: true,
      rules: [
        { value: g.singularValues[0], label: `σmax = ${f(g.singularValues[0])}` },
        { value: g.spectralRadius, label: `|λ|max = ${f(g.spectralRadius)}` },
        { value: g.singularValues[1], label: `σmin = ${f(g.singularValues[1])}` },
      ],
    }),
  };
}

function vanishingFigure(r: RnnResult) {
  const sigma = r.vanishingGrowth.singularValues[0];
  // ‖dh₀·(Whᵀ)ᵗ‖ ≤ σmaxᵗ‖dh₀‖ with dh₀ = ones(N, H), so ‖dh₀‖ = √(N·H).
  const start = Math.sqrt(r.args.N * r.args.H) / r.args.N;
  const data = r.vanishingNorms.flatMap((norm, i) => [
    { t: i + 1, norm, curve: '‖dh‖ / N' },
    { t: i + 1, norm: start * sigma ** (i + 1), curve: 'bound σmaxᵗ·‖dh₀‖ / N' },
  ]);
  return {
    id: 'rnn-vanishing',
    title: `Vanishing gradient: Wh scaled to σmax = ${f(sigma)}`,
    caption:
      'The same backpropagation with Wh scaled to a smaller largest singular value, and the ' +
      'bound σmaxᵗ·‖dh₀‖/N that no step can exceed (log scale).',
    spec: lineChart({
      title: `Wh·${f(r.args.vanishingScale)}/σmax: ‖dh‖ / N`,
      x: { field: 't', title: 'time step t', format: 'd' },
      y: { field: 'norm', title: '‖dh‖ / N', scale: 'log' },
      series: 'curve',
      data,
      points: true,
    }),
  };
}

function spectrumRow(name: string, pick: (g: GrowthAnalysis) => number | string, r: RnnResult) {
  return [name, pick(r.growth), pick(r.vanishingGrowth)];
}

function tables(r: RnnResult): Table[] {
  const steps = r.norms.map((norm, i) => [
    i + 1,
    norm,
    i === 0 ? '' : r.growth.stepRatios[i - 1],
    r.clippedNorms[i],
    r.clippedTotalNorms[i],
    r.vanishingNorms[i],
  ]);
  return [
    {
      caption: 'Norms at every step (hover a number for all its digits).',
      columns: [
        't',
        '‖dh‖/N',
        'ratio to t−1',
        'clipped ‖dh‖/N',
        'clipped ‖dh‖',
        'vanishing ‖dh‖/N',
      ],
      rows: steps,
    },
    {
      caption: 'Spectrum of the recurrent matrix and the growth fitted to the norms.',
      columns: ['quantity', 'Wh', 'scaled Wh'],
      rows: [
        spectrumRow('σmax (largest singular value)', (g) => g.singularValues[0], r),
        spectrumRow('σmin', (g) => g.singularValues[1], r),
        spectrumRow('λ₁', (g) => complex(g.eigenvalues[0]), r),
        spectrumRow('λ₂', (g) => complex(g.eigenvalues[1]), r),
        spectrumRow('spectral radius |λ|max', (g) => g.spectralRadius, r),
        spectrumRow('fitted growth per step', (g) => g.fittedGrowth, r),
      ],
    },
  ];
}

/** The RNN experiment as a report section. */
export function rnnSection(r: RnnResult): ReportSection {
  const { seed, N, H, T } = r.args;
  return {
    id: 'rnn',
    title: 'Exploding gradients through time, and gradient clipping',
    intro:
      `Backpropagation through time multiplies the hidden-state gradient dh by Whᵀ at every ` +
      `step. The article's numpy demonstration (np.random.seed(${seed}), ` +
      `dh = np.ones((${N}, ${H})), Wh = np.random.randn(${H}, ${H}), then ${T} steps of ` +
      `dh = np.dot(dh, Wh.T), recording np.sqrt(np.sum(dh**2)) / N) runs here on the engine: a ` +
      `linear SimpleRNN with recurrent kernel Wh over ${T + 1} time steps, under a loss whose ` +
      'gradient at the last hidden state is ones, trained one step; a through-time probe ' +
      'records ‖∂L/∂h_t‖ at every time step into the run. (The article’s first listing uses dh ' +
      'before assigning it; this is the working order.) Wh is numpy’s, because the random ' +
      'numbers are numpy-compatible; the engine computes in float32.\n\n' +
      'The article clips dh after every step (clip_grads: rate = max_norm / (‖dh‖ + 1e-6), dh ' +
      'scaled by rate when rate < 1). The engine’s clipper, like PyTorch’s clip_grad_norm_, ' +
      'clips the parameter gradients once per step instead; for a linear RNN a clip of dh is a ' +
      'scalar that passes through every later step, so the clipped curve is the engine’s ' +
      'unclipped one times the running product of the same global-norm factor.',
    findings: rnnFindings(r),
    figures: [normsFigure(r), ratiosFigure(r), vanishingFigure(r)],
    tables: tables(r),
  };
}
