/**
 * `gradscope fashion`: the article's Fashion-MNIST model trained once all-sigmoid and once
 * all-ReLU, at the same time, each in its own worker thread (two models: one per core here). The report reads the two runs back
 * through the run provider, as any TensorBoard consumer would.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TRAINING_WORKER_LIMITS } from '../worker-limits.js';
import { ensureFashionMnist } from '../../data/fashion-mnist-install.js';
import type { FashionMnist } from '../../data/fashion-mnist.js';
import { firstImages } from '../../data/image-dataset.js';
import type { ActivationName } from '../../engine/activations.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import type { ClippingArgs } from '../../engine/clipping.js';
import { DirectoryProvider } from '../../log/provider.js';
import { divergedSection, markDivergences } from '../diverged.js';
import type { Experiment } from '../experiment.js';
import type { ProgressSink } from '../progress.js';
import { numberFlag, stringFlag } from '../flags.js';
import { fashionSection } from './section.js';
import { readFashionRun } from './findings.js';
import type { FashionRun } from './findings.js';
import type { FashionTrainArgs, FashionTrainResult } from './train.js';
import type { FashionWorkerData, FashionWorkerMessage } from './worker.js';
import { checkBatchSize, clippingFromFlags, trainingFlags } from '../training-flags.js';

export const FASHION_EPOCHS = 10;

interface WorkerRun {
  worker: Worker;
  /** Settles when the worker has trained and closed its event files. */
  result: Promise<FashionTrainResult>;
}

function trainInWorker(
  workerData: FashionWorkerData,
  onMessage: (message: FashionWorkerMessage) => void,
): WorkerRun {
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData,
    resourceLimits: TRAINING_WORKER_LIMITS,
  });
  const label = `fashion (${workerData.args.activation})`;
  const result = new Promise<FashionTrainResult>((resolve, reject) => {
    worker.on('message', (message: FashionWorkerMessage) => {
      if (message.type === 'done') resolve({ divergence: message.divergence });
      else if (message.type === 'error') reject(new Error(`${label}: ${message.message}`));
      else onMessage(message);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${label}: worker exited with code ${code}`));
    });
  });
  return { worker, result };
}

async function trainAll(
  data: FashionMnist,
  runs: FashionTrainArgs[],
  progress: ProgressSink,
): Promise<FashionTrainResult[]> {
  const done = new Map<string, number>();
  const batches = (run: FashionTrainArgs) =>
    run.epochs * Math.ceil(data.train.count / run.batchSize);
  progress.start(
    `fashion (${runs.map((r) => r.activation).join(' + ')})`,
    runs.reduce((sum, run) => sum + batches(run), 0),
  );
  // `data` lives in SharedArrayBuffers: both workers read it without a copy of their own.
  const workers = runs.map((args) =>
    trainInWorker({ data, args }, (message) => {
      if (message.type === 'batch') {
        done.set(args.activation, message.done);
        const sum = [...done.values()].reduce((a, b) => a + b, 0);
        progress.update(sum, `${args.activation} loss ${message.loss.toFixed(3)}`);
      } else if (message.type === 'epoch') {
        const { logs } = message;
        progress.note(
          `fashion ${args.activation} epoch ${message.epoch + 1}: loss ${logs.loss.toFixed(4)} ` +
            `val_loss ${logs.val_loss?.toFixed(4)} val_accuracy ${logs.val_accuracy?.toFixed(4)}`,
        );
      } else if (message.type === 'verdict') {
        progress.note(message.line);
      }
    }),
  );
  // Once one fails, the others' rejections (terminated) are expected and not worth a crash.
  for (const { result } of workers) result.catch(() => {});
  try {
    const results = await Promise.all(workers.map((w) => w.result));
    progress.finish();
    return results;
  } catch (error) {
    // One model failed: stop the other instead of letting it train on unseen.
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw error;
  }
}

/** What `prepare` checked and read. */
interface FashionInputs {
  clipping: ClippingArgs | undefined;
  data: FashionMnist;
}

export const fashionExperiment: Experiment<FashionInputs> = {
  name: 'fashion',
  summary: 'ReLU as the cure: the Fashion-MNIST model all-sigmoid vs all-ReLU, in parallel',
  defaultSeed: 0,
  flags: [
    ...trainingFlags({ epochs: FASHION_EPOCHS, batchSize: 32, optimizer: 'adam' }),
    { name: 'data-dir', kind: 'string', description: 'directory of the Fashion-MNIST IDX files' },
    {
      name: 'train-samples',
      kind: 'integer',
      positive: true,
      max: 60_000,
      description: 'use only the first N training and test images (quick runs)',
    },
  ],
  async prepare({ flags, progress }) {
    const clipping = clippingFromFlags(flags); // validated before the data loads
    let data = await ensureFashionMnist({
      dir: stringFlag(flags, 'data-dir'),
      shared: true,
      log: (line) => progress.note(line),
    });
    const samples = numberFlag(flags, 'train-samples');
    if (samples !== undefined)
      data = { train: firstImages(data.train, samples), test: firstImages(data.test, samples) };
    checkBatchSize(flags, data.train.count, 'training images');
    return { clipping, data };
  },
  async run({ outDir, files, flags, progress, command }, { clipping, data }) {
    const activations = (
      flags.activation ? [flags.activation] : ['sigmoid', 'relu']
    ) as ActivationName[];
    const runs: FashionTrainArgs[] = activations.map((activation) => ({
      activation,
      epochs: numberFlag(flags, 'epochs', FASHION_EPOCHS)!,
      batchSize: numberFlag(flags, 'batch-size', 32)!,
      optimizer: stringFlag(flags, 'optimizer', 'adam') as OptimizerName,
      learningRate: numberFlag(flags, 'learning-rate'),
      clipping,
      seed: numberFlag(flags, 'seed', 0)!,
      logDir: join(outDir, 'fashion', activation),
      command,
    }));
    const results = await trainAll(data, runs, progress);
    const diverged = markDivergences(
      { outDir, files },
      runs.map((run, i) => ({
        relLogDir: join('fashion', run.activation, 'train'),
        divergence: results[i].divergence,
      })),
    );
    // Everything below is read back from the event files, as any TensorBoard consumer would.
    const provider = new DirectoryProvider(join(outDir, 'fashion'));
    const read: FashionRun[] = [];
    for (const run of runs) read.push(await readFashionRun(provider, run.activation));
    // The section reads per-epoch records, and a diverged model stopped inside an epoch.
    const section =
      diverged.length > 0
        ? divergedSection('fashion', 'ReLU as the cure (Fashion-MNIST)', diverged)
        : await fashionSection(provider, read, runs[0], {
            train: data.train.count,
            test: data.test.count,
          });
    section.findings.forEach((line) => progress.note(`fashion: ${line}`));
    const models = Object.fromEntries(
      read.map((run, i) => [
        run.activation,
        {
          loss: run.loss,
          val_loss: run.valLoss,
          accuracy: run.accuracy,
          val_accuracy: run.valAccuracy,
          ...(results[i].divergence && { diverged: results[i].divergence }),
        },
      ]),
    );
    return { json: { models }, sections: [section], diverged };
  },
};
