/** The report section of the RNN experiment: figures, tables and findings from its numbers. */
import { lineChart } from '../../charts/line.js';
import { formatNumber as f } from '../../charts/format.js';
import type { ReportSection, Table } from '../../report/types.js';
import type { Complex } from './linalg.js';
import type { GrowthAnalysis, RnnResult } from './train.js';

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
      `‖dh‖/N after each step back through Wh (log scale). Clipping caps ‖dh‖ at ` +
      `max_norm = ${f(r.args.maxNorm)}, i.e. ‖dh‖/N at ${f(limit)} (dashed).`,
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
      'The same backpropagation with Wh scaled so that its largest singular value is below 1: ' +
      'the norm falls at least as fast as σmaxᵗ (log scale).',
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

function findings(r: RnnResult): string[] {
  const g = r.growth;
  const T = r.args.T;
  const [sigmaMax] = g.singularValues;
  const rho = g.spectralRadius;
  const nearer = Math.abs(g.fittedGrowth - rho) <= Math.abs(g.fittedGrowth - sigmaMax);
  const maxClipped = Math.max(...r.clippedTotalNorms);
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
    `Scaled so that σmax = ${f(r.vanishingGrowth.singularValues[0])} < 1, the same Wh makes ` +
      `the norm shrink ×${f(r.vanishingGrowth.fittedGrowth)} per step, to ` +
      `${f(r.vanishingNorms[T - 1])} after ${T} steps: the gradient vanishes.`,
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
      `step. Following the article's numpy demonstration: np.random.seed(${seed}), ` +
      `dh = np.ones((${N}, ${H})), Wh = np.random.randn(${H}, ${H}), then ${T} steps of ` +
      `dh = np.dot(dh, Wh.T), recording np.sqrt(np.sum(dh**2)) / N. (The article's first ` +
      'listing uses dh before assigning it; this is the working order.) The numbers match ' +
      'numpy to the last digits, because the random numbers are numpy-compatible.\n\n' +
      "The clipped run applies the article's clip_grads to dh after every step: " +
      'rate = max_norm / (‖dh‖ + 1e-6), and dh is scaled by rate when rate < 1.',
    findings: findings(r),
    figures: [normsFigure(r), ratiosFigure(r), vanishingFigure(r)],
    tables: tables(r),
  };
}
