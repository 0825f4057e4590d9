/**
 * The Fashion-MNIST part of the report, read back from the run directory through the run
 * provider: loss curves, TensorBoard-style histograms of the input-side and output-side Dense
 * layers, and per-layer gradient norms.
 */
import type { History } from '../../engine/callbacks.js';
import type { RunProvider } from '../../log/provider.js';
import * as tags from '../../probe/tags.js';
import { lineChart, smallMultiplesLineChart } from '../../charts/line.js';
import { histogramRidgeChart } from '../../charts/histogram.js';
import type { Figure, ReportSection } from '../../report/types.js';
import { EPOCH_TAGS } from './train.js';
import type { FashionTrainArgs } from './train.js';
import { median } from '../../engine/statistics.js';
import { formatNumber as fmt } from '../../charts/format.js';

/** The input-side and output-side Dense layers of the model (the article's TensorBoard views). */
const INPUT_SIDE = 'dense_1';
const OUTPUT_SIDE = 'dense_7';
const DENSE_LAYERS = ['dense_1', 'dense_2', 'dense_3', 'dense_4', 'dense_5', 'dense_6', 'dense_7'];

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
  const id = `fashion-hist-${activation}-${variable.replace('/', '-')}`;
  return {
    id,
    title: `${variable} values per epoch (${activation})`,
    caption: `Distribution of ${variable} after each epoch (0 = initial weights), as TensorBoard's histogram view shows it.`,
    spec: histogramRidgeChart({
      title: `${variable} (${activation})`,
      data,
      xTitle: `${variable} value`,
    }),
  };
}

export async function fashionSection(
  provider: RunProvider,
  runs: readonly FashionTrainArgs[],
  results: readonly { history: History; seconds: number }[],
  counts: { train: number; test: number },
): Promise<ReportSection> {
  const lossRows = [];
  for (const run of runs) {
    for (const split of ['train', 'validation'] as const) {
      const points = await provider.readScalars(`${run.activation}/${split}`, EPOCH_TAGS.loss);
      lossRows.push(
        ...points.map((p) => ({
          epoch: p.step + 1,
          loss: p.value,
          run: `${run.activation} ${split}`,
        })),
      );
    }
  }
  const normRows = [];
  /** ‖∂L/∂W‖ of the input-side kernel over that of the output-side one, median over epochs. */
  const inputShare: Record<string, number> = {};
  /** The same ratio at the end of the first epoch, before Adam has adapted its step sizes. */
  const firstEpochShare: Record<string, number> = {};
  for (const run of runs) {
    const perLayer = new Map<string, number[]>();
    for (const layer of DENSE_LAYERS) {
      const points = await provider.readScalars(
        `${run.activation}/train`,
        tags.gradNormTag(`${layer}/kernel`),
      );
      perLayer.set(
        layer,
        points.map((p) => p.value),
      );
      normRows.push(
        ...points.map((p, epoch) => ({
          epoch: epoch + 1,
          norm: p.value,
          layer,
          activation: run.activation,
        })),
      );
    }
    const input = perLayer.get(INPUT_SIDE)!,
      output = perLayer.get(OUTPUT_SIDE)!;
    inputShare[run.activation] = median(input.map((norm, e) => norm / output[e]));
    firstEpochShare[run.activation] = input[0] / output[0];
  }
  const histograms: Figure[] = [];
  for (const variable of [`${INPUT_SIDE}/kernel`, `${INPUT_SIDE}/bias`, `${OUTPUT_SIDE}/kernel`]) {
    for (const run of runs)
      histograms.push(await histogramFigure(provider, run.activation, variable));
  }
  const findings = runs.map((run, i) => {
    const h = results[i].history.history;
    const last = h.loss.length - 1;
    return (
      `${run.activation}: after ${last + 1} epochs loss ${fmt(h.loss[last])}, val_loss ${fmt(h.val_loss[last])} ` +
      `(best ${fmt(Math.min(...h.val_loss))}), val_accuracy ${fmt(h.val_accuracy[last])}, ` +
      `${fmt(results[i].seconds / (last + 1))} s per epoch; the input-side kernel's gradient was ` +
      `${fmt(firstEpochShare[run.activation])}× the output-side kernel's after epoch 1 and a median ` +
      `${fmt(inputShare[run.activation])}× over all epochs.`
    );
  });
  const byName = Object.fromEntries(
    runs.map((run, i) => [run.activation, results[i].history.history]),
  );
  if (byName.sigmoid && byName.relu) {
    const s = byName.sigmoid,
      r = byName.relu;
    const best = (values: number[]) => Math.min(...values);
    const lower = best(r.loss) < best(s.loss) && best(r.val_loss) < best(s.val_loss);
    findings.unshift(
      `ReLU ${lower ? 'reached lower' : 'did not reach lower'} training and validation loss than sigmoid ` +
        `(best loss ${fmt(best(r.loss))} vs ${fmt(best(s.loss))}, best val_loss ${fmt(best(r.val_loss))} vs ` +
        `${fmt(best(s.val_loss))}); relative to the output side, sigmoid's input-side gradient was ` +
        `${fmt(inputShare.sigmoid / inputShare.relu)}× ReLU's.`,
    );
  }
  const setup = runs[0];
  return {
    id: 'fashion',
    title: 'ReLU as the cure (Fashion-MNIST)',
    intro:
      'The article’s model: Flatten → 3×Dense(32) → BatchNormalization → 3×Dense(32) → Dropout(0.25) → Dense(10, softmax), ' +
      `every hidden Dense all-sigmoid or all-ReLU; ${setup.optimizer}, batch ${setup.batchSize}, ${setup.epochs} epochs on ` +
      `${counts.train} training images, validated on ${counts.test} test images; the models trained at the same time, each in its own worker thread.\n\n` +
      'The histograms are read back from the TensorBoard event files of the run (open them with tensorboard --logdir).',
    findings,
    figures: [
      {
        id: 'fashion-loss',
        title: 'Training and validation loss per epoch',
        caption:
          'Sparse categorical cross-entropy after each epoch (validation on the test images).',
        spec: lineChart({
          title: 'Loss per epoch',
          data: lossRows,
          x: { field: 'epoch', format: 'd' },
          y: { field: 'loss', zero: false },
          series: 'run',
          points: true,
        }),
      },
      {
        id: 'fashion-grad-norms',
        title: 'Gradient norm of each Dense kernel at the end of each epoch',
        caption:
          'dense_1 is the input side, dense_7 the output side; with sigmoid the input side gets far smaller gradients.',
        spec: smallMultiplesLineChart({
          title: '‖∂L/∂W‖ per layer',
          data: normRows,
          x: { field: 'epoch', format: 'd' },
          y: { field: 'norm', title: '‖∂L/∂W‖', scale: 'log' },
          series: 'layer',
          facet: 'activation',
        }),
      },
      ...histograms,
    ],
    tables: [
      {
        caption: 'Per-epoch metrics (Keras History keys)',
        columns: ['activation', 'epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy'],
        rows: runs.flatMap((run, i) => {
          const h = results[i].history.history;
          return h.loss.map((loss, e) => [
            run.activation,
            e + 1,
            loss,
            h.accuracy[e],
            h.val_loss[e],
            h.val_accuracy[e],
          ]);
        }),
      },
    ],
  };
}
