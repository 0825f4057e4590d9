/** The depth part of the report: per-layer statistics at initialization, and the deep ReLU runs. */
import { spansDecades } from '../../charts/axes.js';
import type { Row } from '../../charts/axes.js';
import { lineChart, smallMultiplesLineChart } from '../../charts/line.js';
import type { ReportSection } from '../../report/types.js';
import {
  converged,
  glorotFinding,
  heFinding,
  spreadAcrossLayers,
  trainedFinding,
  varianceFactorPerLayer,
} from './findings.js';
import type { TrainedFacts } from './findings.js';
import type { LayerStats, TrainedLayerStats } from './results.js';
import type { GlorotInit, HeInit } from './train.js';

export interface DepthResults {
  /** By activation and init: statistics at initialization, and `trained` at the last update. */
  glorot: Record<string, Record<GlorotInit, LayerStats & { trained: TrainedLayerStats }>>;
  he: Record<HeInit, { loss: number[]; signalNorm: number[] }>;
}

export interface DepthSetup {
  glorot: { depth: number; width: number; updates: number; learningRate: number };
  he: { depth: number; width: number; epochs: number; learningRate: number; momentum: number };
  trainSamples: number;
  full: boolean;
}

const scale = (values: number[]) =>
  values.every((v) => v > 0) && spansDecades(values) ? ('log' as const) : ('linear' as const);

export function depthSection(results: DepthResults, setup: DepthSetup): ReportSection {
  const glorotRows: Row[] = Object.entries(results.glorot).flatMap(([activation, inits]) =>
    Object.entries(inits).flatMap(([init, stats]) =>
      stats.gradStd.map((value, k) => ({ layer: k + 1, value, init, activation })),
    ),
  );
  const heLoss: Row[] = Object.entries(results.he).flatMap(([init, r]) =>
    r.loss.map((value, epoch) => ({ epoch: epoch + 1, value, init })),
  );
  const heSignal: Row[] = Object.entries(results.he).flatMap(([init, r]) =>
    r.signalNorm.map((value, k) => ({ layer: k + 1, value, init })),
  );
  const glorotFacts = Object.entries(results.glorot).map(([activation, inits]) => ({
    activation,
    standard: varianceFactorPerLayer(inits.standard.gradStd),
    normalized: varianceFactorPerLayer(inits.normalized.gradStd),
  }));
  const byInit = (
    of: (stats: TrainedLayerStats) => number,
    inits: DepthResults['glorot'][string],
  ) => ({
    standard: of(inits.standard.trained),
    normalized: of(inits.normalized.trained),
  });
  const trainedFacts: TrainedFacts[] = Object.entries(results.glorot).map(
    ([activation, inits]) => ({
      activation,
      step: inits.standard.trained.step,
      kernelGradSpread: byInit((t) => spreadAcrossLayers(t.kernelGradStd), inits),
      gradFactor: byInit((t) => varianceFactorPerLayer(t.gradStd), inits),
      topMean: byInit((t) => t.activationMean[t.activationMean.length - 1], inits),
    }),
  );
  const quantities = [
    ['activations', 'activationStd'],
    ['∂L/∂s', 'gradStd'],
    ['∂L/∂W', 'kernelGradStd'],
  ] as const;
  const trainedRows: Row[] = Object.entries(results.glorot).flatMap(([activation, inits]) =>
    (Object.entries(inits) as [GlorotInit, (typeof inits)[GlorotInit]][]).flatMap(([init, stats]) =>
      quantities.flatMap(([quantity, key]) =>
        stats.trained[key].map((value, k) => ({
          layer: k + 1,
          value,
          series: `${quantity}, ${init}`,
          activation,
        })),
      ),
    ),
  );
  const lastUpdate = setup.glorot.updates - 1;
  const heFacts = (Object.keys(results.he) as HeInit[]).map((init) => ({
    init,
    signalFactor: varianceFactorPerLayer(results.he[init].signalNorm),
    epochLoss: results.he[init].loss,
  }));
  const { glorot: g, he: h } = setup;
  const sizes = setup.full
    ? 'the --full sizes'
    : 'reduced default sizes (--full for the paper’s width)';
  return {
    id: 'depth',
    title: 'Initialization and depth (Glorot & Bengio 2010; He et al. 2015)',
    intro:
      `Fashion-MNIST, ${setup.trainSamples} training images, ${sizes}. Glorot & Bengio: ` +
      `${g.depth} hidden layers of ${g.width} units (the paper: 1000), SGD at ${g.learningRate}, ` +
      `${g.updates} updates, "standard" init U[−1/√n, 1/√n] against normalized (Glorot) init; ` +
      'the statistics are taken on the first batch, before any update, and again at the last ' +
      'update. He et al.: ' +
      `${h.depth} ReLU layers of ${h.width} units, SGD at ${h.learningRate} with momentum ` +
      `${h.momentum}, ${h.epochs} epochs, Glorot (normal) against He (normal) init.`,
    findings: [
      ...glorotFacts.map(glorotFinding),
      ...trainedFacts.map(trainedFinding),
      ...heFacts.map(heFinding),
    ],
    figures: [
      {
        id: 'depth-glorot-grad-std',
        title: 'Std of ∂L/∂s per hidden layer at initialization',
        caption: 'Layer 1 is next to the input. One panel per activation.',
        spec: smallMultiplesLineChart({
          title: 'Std of ∂L/∂s per hidden layer at initialization',
          data: glorotRows,
          x: { field: 'layer', title: 'hidden layer (input side first)' },
          y: {
            field: 'value',
            title: 'std of ∂L/∂s',
            scale: scale(glorotRows.map((r) => Number(r.value))),
          },
          series: 'init',
          facet: 'activation',
          columns: 3,
        }),
      },
      {
        id: 'depth-glorot-trained',
        title: `Std per hidden layer at update ${lastUpdate}`,
        caption:
          'Of the activations, of ∂L/∂s and of the kernel gradients ∂L/∂W, for each init; ' +
          'layer 1 is next to the input. One panel per activation.',
        spec: smallMultiplesLineChart({
          title: `Std per hidden layer at update ${lastUpdate}`,
          data: trainedRows,
          x: { field: 'layer', title: 'hidden layer (input side first)', format: 'd' },
          y: {
            field: 'value',
            title: 'std',
            scale: scale(trainedRows.map((r) => Number(r.value))),
          },
          series: 'series',
          facet: 'activation',
          columns: 3,
        }),
      },
      {
        id: 'depth-he-signal',
        title: `‖∂L/∂a‖ per layer at step 0, ${h.depth} ReLU layers`,
        caption: 'The backprop signal at each hidden layer’s output, input side first.',
        spec: lineChart({
          title: `‖∂L/∂a‖ per layer at step 0, ${h.depth} ReLU layers`,
          data: heSignal,
          x: { field: 'layer', title: 'hidden layer (input side first)' },
          y: {
            field: 'value',
            title: '‖∂L/∂a‖',
            scale: scale(heSignal.map((r) => Number(r.value))),
          },
          series: 'init',
        }),
      },
      {
        id: 'depth-he-loss',
        title: `Training loss per epoch, ${h.depth} ReLU layers`,
        caption: 'Mean batch loss of each epoch.',
        spec: lineChart({
          title: `Training loss per epoch, ${h.depth} ReLU layers`,
          data: heLoss,
          x: { field: 'epoch', format: 'd' },
          y: { field: 'value', title: 'loss', zero: false },
          series: 'init',
          points: true,
        }),
      },
    ],
    tables: [
      {
        caption: 'Variance factor of ∂L/∂s per layer toward the input, at initialization',
        columns: ['activation', 'standard init', 'normalized init'],
        rows: glorotFacts.map((f) => [f.activation, f.standard, f.normalized]),
      },
      {
        caption: `At update ${lastUpdate}: spread of ∂L/∂W's std across layers (largest / smallest), variance factor of ∂L/∂s per layer toward the input, and the last hidden layer's mean activation`,
        columns: [
          'activation',
          'spread, standard',
          'spread, normalized',
          'factor, standard',
          'factor, normalized',
          'top mean, standard',
          'top mean, normalized',
        ],
        rows: trainedFacts.map((f) => [
          f.activation,
          f.kernelGradSpread.standard,
          f.kernelGradSpread.normalized,
          f.gradFactor.standard,
          f.gradFactor.normalized,
          f.topMean.standard,
          f.topMean.normalized,
        ]),
      },
      {
        caption: `${h.depth} ReLU layers: signal variance factor per layer at step 0, and the loss`,
        columns: [
          'init',
          'variance factor per layer',
          'first-epoch loss',
          'last-epoch loss',
          'converged',
        ],
        rows: heFacts.map((f) => [
          f.init,
          f.signalFactor,
          f.epochLoss[0],
          f.epochLoss[f.epochLoss.length - 1],
          converged(f.epochLoss) ? 'yes' : 'no',
        ]),
      },
    ],
  };
}
