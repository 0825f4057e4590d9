/**
 * Recurrent models on the adding problem at T = 100 (batch 32, 64 units, Dense(1), Adam, MSE):
 *
 * - seconds per epoch of SimpleRNN, LSTM and GRU. An epoch is EPOCH_SAMPLES sequences; each
 *   model trains on a subset of `subset` sequences (default 640 = 20 steps) `repeats` times
 *   after one warm-up pass, and the median subset time is scaled to EPOCH_SAMPLES.
 * - LSTM forward + backward time per training step (one batch of 32 × 100 × 2, gradients of
 *   every weight, no optimizer update) for gradscope and for TensorFlow.js on its wasm backend
 *   (SIMD, no threads in Node), the same shapes, median of `repeats` steps after warm-up ones.
 *
 * Times are this process's CPU time (user + system, `process.cpuUsage`), not wall time: on a
 * machine shared with other jobs, wall time counts the waits for a core as well. Every system
 * here computes on one thread, so on an idle machine the two agree. Medians, still noisy.
 * Flags: --json (one JSON object on stdout), --quick (fewer repeats).
 * Run alone: node dist/bench/recurrent.js [--json] [--quick]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import { median } from '../src/engine/statistics.js';
import { Tensor } from '../src/engine/tensor.js';
import { addingProblem } from '../src/experiments/sequence/data.js';
import { buildSequenceModel, SEQUENCE_MODELS } from '../src/experiments/sequence/model.js';
import type { SequenceModel } from '../src/experiments/sequence/model.js';

/** The sequences in one epoch of the reference adding-problem run. */
export const EPOCH_SAMPLES = 10000;
const [T, BATCH, UNITS, FEATURES] = [100, 32, 64, 2];

export interface RecurrentBench {
  timesteps: number;
  batchSize: number;
  units: number;
  epochSamples: number;
  subsetSamples: number;
  /** Seconds per epoch of EPOCH_SAMPLES sequences, scaled from the subset. */
  epochSeconds: Record<SequenceModel, number>;
  /** LSTM forward + backward, milliseconds per batch. */
  lstmStepMs: { gradscope: number; tfjsWasm: number };
}

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const repeats = quick ? 3 : 5;
const subset = quick ? 320 : 640;

function progress(line: string): void {
  if (!json) process.stderr.write(`${line}\n`);
}

/** CPU seconds (user + system) spent by this process in `work`. */
function cpuSeconds(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function epochSeconds(kind: SequenceModel): number {
  const { dataset } = addingProblem(subset, T, 1);
  const { model } = buildSequenceModel({
    model: kind,
    timesteps: T,
    units: UNITS,
    learningRate: 1e-3,
    seed: 0,
  });
  model.fit(dataset, { epochs: 1, batchSize: BATCH });
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    times.push(cpuSeconds(() => model.fit(dataset, { epochs: 1, batchSize: BATCH })));
  }
  return (median(times) * EPOCH_SAMPLES) / subset;
}

function timeSteps(step: () => void, warmup: number): number {
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push(cpuSeconds(step) * 1000);
  return median(times);
}

function gradscopeLstmStepMs(): number {
  const { x, y } = addingProblem(BATCH, T, 2);
  const { model } = buildSequenceModel({
    model: 'lstm',
    timesteps: T,
    units: UNITS,
    learningRate: 1e-3,
    seed: 0,
  });
  const input = Tensor.fromArray([BATCH, T, FEATURES], x);
  return timeSteps(() => model.computeGradients(input, y), 3);
}

/** TF.js is loaded here only, so that importing this module for its formatter stays light. */
async function tfjsLstmStepMs(): Promise<number> {
  const tf = await import('@tensorflow/tfjs');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  await tf.setBackend('wasm');
  await tf.ready();
  const { x, y } = addingProblem(BATCH, T, 2);
  const model = tf.sequential();
  model.add(
    tf.layers.lstm({ units: UNITS, inputShape: [T, FEATURES], recurrentActivation: 'sigmoid' }),
  );
  model.add(tf.layers.dense({ units: 1 }));
  const xs = tf.tensor3d(x, [BATCH, T, FEATURES]);
  const ys = tf.tensor2d(y, [BATCH, 1]);
  const weights = model.trainableWeights.map((w) => w.read() as TF.Variable);
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.meanSquaredError(ys, model.apply(xs) as TF.Tensor) as TF.Scalar,
      weights,
    );
    // Reading the values waits for the backend, so the time covers the whole computation.
    for (const g of Object.values(grads)) g.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const ms = timeSteps(step, 2);
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, not wasm`);
  return ms;
}

export async function runRecurrentBench(): Promise<RecurrentBench> {
  const seconds = {} as Record<SequenceModel, number>;
  for (const kind of SEQUENCE_MODELS) {
    progress(`${kind}: ${repeats}× ${subset} sequences of T=${T} (scaled to ${EPOCH_SAMPLES})…`);
    seconds[kind] = epochSeconds(kind);
  }
  progress('LSTM forward+backward per step: gradscope, then TF.js wasm…');
  const gradscope = gradscopeLstmStepMs();
  const tfjsWasm = await tfjsLstmStepMs();
  return {
    timesteps: T,
    batchSize: BATCH,
    units: UNITS,
    epochSamples: EPOCH_SAMPLES,
    subsetSamples: subset,
    epochSeconds: seconds,
    lstmStepMs: { gradscope, tfjsWasm },
  };
}

/** The Markdown tables `npm run bench` prints. */
export function formatRecurrentBench(r: RecurrentBench): string {
  const lines = [
    `Adding problem, T=${r.timesteps}, batch ${r.batchSize}, ${r.units} units, Dense(1), Adam:`,
    `CPU seconds per epoch of ${r.epochSamples.toLocaleString('en-US')} sequences ` +
      `(median of timed ${r.subsetSamples}-sequence subsets, scaled)`,
    '| model | s / epoch |',
    '|---|---:|',
    ...SEQUENCE_MODELS.map((m) => `| ${m} | ${r.epochSeconds[m].toFixed(2)} |`),
    '',
    `LSTM forward + backward, one batch of ${r.batchSize} × ${r.timesteps} × 2 (CPU time, median):`,
    '| system | ms / step | vs gradscope |',
    '|---|---:|---:|',
    `| gradscope | ${r.lstmStepMs.gradscope.toFixed(1)} | 1.0× |`,
    `| TF.js 4.22 wasm | ${r.lstmStepMs.tfjsWasm.toFixed(1)} | ` +
      `${(r.lstmStepMs.tfjsWasm / r.lstmStepMs.gradscope).toFixed(1)}× |`,
  ];
  return lines.join('\n');
}

// Run when started as a script; bench.ts imports the formatter only.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runRecurrentBench()
    .then((result) => {
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else console.log(`\n${formatRecurrentBench(result)}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
