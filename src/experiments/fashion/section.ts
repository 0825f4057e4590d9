/**
 * The Fashion-MNIST part of the report, from the runs as the run provider returns them: loss
 * curves, per-layer gradient norms, and TensorBoard-style histograms of the input-side and
 * output-side Dense layers. One function per figure.
 */
import type { RunProvider } from '../../log/provider.js';
import * as tags from '../../probe/tags.js';
import { lineChart, smallMultiplesLineChart } from '../../charts/line.js';
import { histogramRidgeChart } from '../../charts/histogram.js';
import type { Figure, ReportSection, Table } from '../../report/types.js';
import type { FashionTrainArgs } from './train.js';
import { DENSE_LAYERS, fashionFindings, INPUT_SIDE, OUTPUT_SIDE } from './findings.js';
import type { FashionRun } from './findings.js';
import { checkRun, type CheckedRun } from '../verdicts.js';

function lossFigure(runs: readonly FashionRun[]): Figure {
  const data = runs.flatMap((run) => [
    ...run.loss.map((loss, e) => ({ epoch: e + 1, loss, run: `${run.activation} train` })),
    ...run.valLoss.map((loss, e) => ({ epoch: e + 1, loss, run: `${run.activation} validation` })),
  ]);
  return {
    id: 'fashion-loss',
    title: 'Training and validation loss per epoch',
    caption: 'Sparse categorical cross-entropy after each epoch (validation on the test images).',
    spec: lineChart({
      title: 'Loss per epoch',
      data,
      x: { field: 'epoch', format: 'd' },
      y: { field: 'loss', zero: false },
      series: 'run',
      points: true,
    }),
  };
}

function gradNormFigure(runs: readonly FashionRun[]): Figure {
  const data = runs.flatMap((run) =>
    DENSE_LAYERS.flatMap((layer) =>
      run.gradNorms[layer].map((norm, e) => ({
        epoch: e + 1,
        norm,
        layer,
        activation: run.activation,
      })),
    ),
  );
  return {
    id: 'fashion-grad-norms',
    title: 'Gradient norm of each Dense kernel at the end of each epoch',
    caption: `${INPUT_SIDE} is the input side, ${OUTPUT_SIDE} the output side (log scale).`,
    spec: smallMultiplesLineChart({
      title: '‖∂L/∂W‖ per layer',
      data,
      x: { field: 'epoch', format: 'd' },
      y: { field: 'norm', title: '‖∂L/∂W‖', scale: 'log' },
      series: 'layer',
      facet: 'activation',
    }),
  };
}

async function histogramFigure(
  provider: RunProvider,
  activation: string,
  variable: string,
): Promise<Figure> {
  const points = await provider.readHistograms(
    `${activation}/train`,
    tags.weightsHistogramTag(variable),
  );
  // Weight histograms are recorded for the initial weights, then at the end of each epoch.
  const data = points.flatMap((point, epoch) =>
    point.buckets.map((b) => ({ epoch, left: b.left, right: b.right, count: b.count })),
  );
  return {
    id: `fashion-hist-${activation}-${variable.replace('/', '-')}`,
    title: `${variable} values per epoch (${activation})`,
    caption: `Distribution of ${variable} after each epoch (0 = initial weights), as TensorBoard's histogram view shows it.`,
    spec: histogramRidgeChart({
      title: `${variable} (${activation})`,
      data,
      xTitle: `${variable} value`,
    }),
  };
}

async function histogramFigures(
  provider: RunProvider,
  runs: readonly FashionRun[],
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const variable of [`${INPUT_SIDE}/kernel`, `${INPUT_SIDE}/bias`, `${OUTPUT_SIDE}/kernel`]) {
    for (const run of runs) figures.push(await histogramFigure(provider, run.activation, variable));
  }
  return figures;
}

function metricsTable(runs: readonly FashionRun[]): Table {
  return {
    caption: 'Per-epoch metrics (Keras History keys)',
    columns: ['activation', 'epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy'],
    rows: runs.flatMap((run) =>
      run.loss.map((loss, e) => [
        run.activation,
        e + 1,
        loss,
        run.accuracy[e],
        run.valLoss[e],
        run.valAccuracy[e],
      ]),
    ),
  };
}

function intro(setup: FashionTrainArgs, counts: { train: number; test: number }): string {
  return (
    'The article’s model: Flatten → 3×Dense(32) → BatchNormalization → 3×Dense(32) → Dropout(0.25) → Dense(10, softmax), ' +
    `every hidden Dense all-sigmoid or all-ReLU; ${setup.optimizer}, batch ${setup.batchSize}, ${setup.epochs} epochs on ` +
    `${counts.train} training images, validated on ${counts.test} test images; the models trained at the same time, each in its own worker thread.\n\n` +
    'Every figure, table and finding is read back from the TensorBoard event files of the run (open them with tensorboard --logdir).'
  );
}

export async function fashionSection(
  provider: RunProvider,
  runs: readonly FashionRun[],
  setup: FashionTrainArgs,
  counts: { train: number; test: number },
): Promise<ReportSection> {
  const checked = new Map<string, CheckedRun>();
  for (const run of runs) checked.set(run.activation, await checkRun(provider, run.activation));
  return {
    id: 'fashion',
    title: 'ReLU as the cure (Fashion-MNIST)',
    intro: intro(setup, counts),
    findings: fashionFindings(runs, checked),
    figures: [lossFigure(runs), gradNormFigure(runs), ...(await histogramFigures(provider, runs))],
    tables: [metricsTable(runs)],
  };
}
