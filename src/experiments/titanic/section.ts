/** The Titanic part of the report: figures and tables from the two runs. */
import { lineChart, smallMultiplesLineChart } from '../../charts/line.js';
import { spansDecades } from '../../charts/axes.js';
import type { Row } from '../../charts/axes.js';
import type { ReportSection, Table } from '../../report/types.js';
import type { TitanicRun, WeightLabel } from './train.js';
import type { CheckedRun } from '../verdicts.js';
import { articleFinding, comparisonFinding, titanicFacts, titanicFindings } from './findings.js';

const LABELS: readonly WeightLabel[] = ['W0', 'W1', 'W2'];

function rows(
  runs: readonly TitanicRun[],
  pick: (run: TitanicRun, w: WeightLabel) => number[],
): Row[] {
  return runs.flatMap((run) =>
    LABELS.flatMap((weight) =>
      pick(run, weight).map((value, k) => ({
        update: k + 1,
        value,
        weight,
        activation: run.activation,
      })),
    ),
  );
}

function perUpdateChart(id: string, title: string, yTitle: string, data: Row[], caption: string) {
  const values = data.map((row) => Number(row.value));
  const log = spansDecades(values.filter((v) => v > 0)) && values.every((v) => v > 0);
  return {
    id,
    title,
    caption,
    spec: smallMultiplesLineChart({
      title,
      data,
      x: { field: 'update', title: 'update' },
      y: { field: 'value', title: yTitle, scale: log ? 'log' : 'linear', zero: false },
      series: 'weight',
      facet: 'activation',
      columns: 2,
    }),
  };
}

function checkpointTable(runs: readonly TitanicRun[], updates: number, normTitle: string): Table {
  const checkpoints = [1, 10, updates].filter((k, i, all) => k <= updates && all.indexOf(k) === i);
  return {
    caption: `${normTitle} and relative update ‖ΔW‖/‖W‖ at updates ${checkpoints.join(', ')}`,
    columns: [
      'activation',
      'weight',
      ...checkpoints.map((k) => `grad @${k}`),
      ...checkpoints.map((k) => `ΔW/W @${k}`),
    ],
    rows: runs.flatMap((run) =>
      LABELS.map((w) => [
        run.activation,
        w,
        ...checkpoints.map((k) => run.series.gradNorm[w][k - 1]),
        ...checkpoints.map((k) => run.series.updateRatio[w][k - 1]),
      ]),
    ),
  };
}

/** `checked[i]` is diagnose's reading of `runs[i]` (verdicts.ts checkRun). */
export function titanicSection(
  runs: readonly TitanicRun[],
  checked: readonly CheckedRun[],
  context: { updates: number; normTitle: string; signalTitle: string; setup: string },
): ReportSection {
  const facts = runs.map((run) => titanicFacts(run));
  const findings = runs.flatMap((run, i) =>
    titanicFindings(run, facts[i], context.updates, checked[i]),
  );
  const sigmoid = runs.findIndex((run) => run.activation === 'sigmoid');
  const relu = runs.findIndex((run) => run.activation === 'relu');
  if (sigmoid >= 0) findings.unshift(articleFinding(facts[sigmoid], checked[sigmoid]));
  if (sigmoid >= 0 && relu >= 0) findings.unshift(comparisonFinding(facts[sigmoid], facts[relu]));
  const loss = runs.flatMap((run) =>
    run.series.loss.map((value, k) => ({ update: k + 1, loss: value, activation: run.activation })),
  );
  return {
    id: 'titanic',
    title: 'Vanishing gradients with sigmoid (Titanic)',
    intro:
      'The article’s network on the Kaggle Titanic passengers: input → Dense(d) [W0, d×d] → Dense(16) [W1] → ' +
      'Dense(1, sigmoid) [W2], binary cross-entropy, trained once with sigmoid hidden layers and once with ReLU. ' +
      `${context.setup}\n\n` +
      'σ′(x) = σ(x)(1 − σ(x)) ≤ 0.25: each sigmoid layer multiplies the backward signal by at most 0.25 ' +
      'besides its weights; the findings below say what these runs measured.',
    findings,
    figures: [
      perUpdateChart(
        'titanic-grad-norm',
        'Gradient norm per weight matrix',
        context.normTitle,
        rows(runs, (r, w) => r.series.gradNorm[w]),
        'The gradient norm of each kernel at every update; W0 is the input side, W2 the output side.',
      ),
      perUpdateChart(
        'titanic-element',
        'One element of each weight matrix: W[0,0] − its initial value',
        'change of W[0,0]',
        rows(runs, (r, w) => r.series.element[w].map((v) => v - r.initialElement[w])),
        'How far one element of each matrix has moved since initialization (the article plots one element per matrix).',
      ),
      perUpdateChart(
        'titanic-update-ratio',
        'Relative update size ‖ΔW‖/‖W‖',
        '‖ΔW‖/‖W‖',
        rows(runs, (r, w) => r.series.updateRatio[w]),
        'The size of each update relative to the weights it changed.',
      ),
      perUpdateChart(
        'titanic-signal',
        `Backprop signal ${context.signalTitle} at each layer’s output`,
        context.signalTitle,
        rows(runs, (r, w) => r.series.signalNorm[w]),
        'The gradient arriving at each layer’s output, from W2’s (output side) down to W0’s (input side).',
      ),
      {
        id: 'titanic-loss',
        title: 'Training loss per update',
        caption: 'Binary cross-entropy of each mini-batch.',
        spec: lineChart({
          title: 'Training loss per update',
          data: loss,
          x: { field: 'update' },
          y: { field: 'loss', title: 'batch loss', zero: false },
          series: 'activation',
        }),
      },
    ],
    tables: [
      checkpointTable(runs, context.updates, context.normTitle),
      {
        caption: 'After training',
        columns: [
          'activation',
          'train loss',
          'train accuracy',
          'validation loss',
          'validation accuracy',
        ],
        rows: runs.map((run) => [
          run.activation,
          run.train.loss,
          run.train.accuracy,
          run.validation.loss,
          run.validation.accuracy,
        ]),
      },
    ],
  };
}
