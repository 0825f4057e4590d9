/**
 * The adding problem's part of the report, from the runs read back through the run provider:
 * test MSE against T beside the mean predictor, the through-time gradient profiles at the
 * first and last training step, and the loss curves.
 */
import { spansDecades } from '../../charts/axes.js';
import type { Row } from '../../charts/axes.js';
import { lineChart, smallMultiplesLineChart } from '../../charts/line.js';
import type { Figure, ReportSection } from '../../report/types.js';
import { firstToLast, outcome, sequenceFindings } from './findings.js';
import type { Profile, SequenceResult } from './results.js';

export interface SequenceSetup {
  units: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  testSamples: number;
  /** Whether --full chose the sizes. */
  full: boolean;
}

function yAxis(values: number[], title: string) {
  const log = values.every((v) => v > 0) && spansDecades(values);
  return { field: 'value', title, scale: log ? ('log' as const) : ('linear' as const) };
}

function profileFigure(
  results: readonly SequenceResult[],
  when: 'before' | 'after',
  pick: (r: SequenceResult) => Profile | null,
  what: { id: string; symbol: string; title: string },
): Figure | null {
  const data: Row[] = results.flatMap((r) => {
    const found = pick(r);
    return found
      ? found.ratios
          // A zero norm has no place on a log axis; the table still shows the first step.
          .map((value, t) => ({ t: t + 1, value, model: r.model, T: `T=${r.timesteps}` }))
          .filter((row) => row.value > 0)
      : [];
  });
  if (data.length === 0) return null;
  const moment = when === 'before' ? 'at the first training step' : 'at the last training step';
  const title = `${what.title} ${moment}`;
  return {
    id: `sequence-${what.id}-${when}`,
    title,
    caption:
      `${what.symbol}/${what.symbol.replace('_t', '_T')} against the time step t, one panel per ` +
      `sequence length, ${moment} (${when === 'before' ? 'initial weights' : 'trained weights'}).`,
    spec: smallMultiplesLineChart({
      title,
      data,
      x: { field: 't', title: 'time step t' },
      y: yAxis(
        data.map((row) => Number(row.value)),
        `${what.symbol} / ${what.symbol.replace('_t', '_T')}`,
      ),
      series: 'model',
      facet: 'T',
      columns: 3,
      independentY: false,
    }),
  };
}

function mseFigure(results: readonly SequenceResult[]): Figure {
  const lengths = [...new Set(results.map((r) => r.timesteps))];
  const data: Row[] = [
    ...results.map((r) => ({ T: r.timesteps, value: r.testMse, model: r.model })),
    ...lengths.map((T) => ({
      T,
      value: results.find((r) => r.timesteps === T)!.baselineMse,
      model: 'mean predictor',
    })),
  ];
  return {
    id: 'sequence-test-mse',
    title: 'Test MSE against sequence length',
    caption:
      'Test MSE of each model after training, and of always predicting the test targets’ mean.',
    spec: lineChart({
      title: 'Test MSE against sequence length',
      data,
      x: { field: 'T', title: 'sequence length T' },
      y: yAxis(
        data.map((row) => Number(row.value)),
        'test MSE',
      ),
      series: 'model',
      points: true,
    }),
  };
}

function lossFigure(results: readonly SequenceResult[]): Figure {
  const data: Row[] = results.flatMap((r) =>
    r.loss.map((value, step) => ({ step, value, model: r.model, T: `T=${r.timesteps}` })),
  );
  return {
    id: 'sequence-loss',
    title: 'Training loss per step',
    caption: 'MSE of each training batch, one panel per sequence length.',
    spec: smallMultiplesLineChart({
      title: 'Training loss per step',
      data,
      x: { field: 'step', title: 'training step' },
      y: yAxis(
        data.map((row) => Number(row.value)),
        'batch MSE',
      ),
      series: 'model',
      facet: 'T',
      columns: 3,
    }),
  };
}

export function sequenceSection(
  results: readonly SequenceResult[],
  setup: SequenceSetup,
): ReportSection {
  const sizes = setup.full ? 'the --full sizes' : 'the reduced default sizes (--full for bigger)';
  const hidden = { id: 'hidden', symbol: '‖∂L/∂h_t‖', title: 'Gradient through time' };
  const cell = { id: 'cell', symbol: '‖∂L/∂c_t‖', title: 'LSTM cell-state gradient' };
  const figures = [
    mseFigure(results),
    profileFigure(results, 'before', (r) => r.before, hidden),
    profileFigure(results, 'after', (r) => r.after, hidden),
    profileFigure(results, 'after', (r) => r.cellAfter, cell),
    lossFigure(results),
  ].filter((figure): figure is Figure => figure !== null);
  return {
    id: 'sequence',
    title: 'Gradients through time: the adding problem',
    intro:
      'Each input is T pairs (a value from U[0,1], a marker); exactly two markers are set, one in ' +
      'each half of the sequence, and the target is the sum of the two marked values (Hochreiter ' +
      '& Schmidhuber 1997; Le, Jaitly & Hinton 2015). Always predicting the mean scores the ' +
      'variance of the targets, about 2/12 ≈ 0.167; the table gives the value measured on each ' +
      'test set. Each model is one recurrent layer (SimpleRNN, LSTM or GRU) followed by Dense(1), ' +
      `trained with Adam (learning rate ${setup.learningRate}) on MSE.\n\n` +
      `This run uses ${sizes}: ${setup.units} units, ${setup.steps} steps of batch ` +
      `${setup.batchSize} on fresh sequences, ${setup.testSamples} test sequences. The ` +
      'through-time profiles are ‖∂L/∂h_t‖ over batch and units from the layer’s backward pass, ' +
      'divided by the value at the last step T.',
    findings: sequenceFindings(results, setup.steps),
    figures,
    tables: [
      {
        caption: 'Test MSE per model and length, and the gradient reaching the first step',
        columns: [
          'model',
          'T',
          'test MSE',
          'mean predictor MSE',
          'MSE / mean predictor',
          'outcome',
          '‖∂L/∂h_1‖/‖∂L/∂h_T‖ first step',
          '‖∂L/∂h_1‖/‖∂L/∂h_T‖ last step',
        ],
        rows: results.map((r) => [
          r.model,
          r.timesteps,
          r.testMse,
          r.baselineMse,
          r.testMse / r.baselineMse,
          outcome(r),
          firstToLast(r.before.ratios),
          firstToLast(r.after.ratios),
        ]),
      },
    ],
  };
}
