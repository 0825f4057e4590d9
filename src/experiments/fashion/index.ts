/**
 * `gradscope fashion`: the article's Fashion-MNIST model trained once all-sigmoid and once
 * all-ReLU, at the same time, each in its own worker thread (two models: one per core here). The report reads the two runs back
 * through the run provider, as any TensorBoard consumer would.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ensureFashionMnist } from '../../data/fashion-mnist-install.js';
import type { FashionMnist } from '../../data/fashion-mnist.js';
import { firstImages } from '../../data/image-dataset.js';
import type { ActivationName } from '../../engine/activations.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { DirectoryProvider } from '../../log/provider.js';
import type { Experiment } from '../experiment.js';
import type { ProgressSink } from '../progress.js';
import { numberFlag, stringFlag } from '../flags.js';
import { fashionSection } from './section.js';
import { readFashionRun } from './findings.js';
import type { FashionRun } from './findings.js';
import type { FashionTrainArgs } from './train.js';
import type { FashionWorkerData, FashionWorkerMessage } from './worker.js';
import { clippingFromFlags, trainingFlags } from '../training-flags.js';

export const FASHION_EPOCHS = 10;

/** A copy of the data in shared memory, so both workers read one copy without cloning it. */
function shareData(data: FashionMnist): FashionMnist {
  const share = (bytes: Uint8Array) => {
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    return shared;
  };
  const set = (s: FashionMnist['train']) => ({
    ...s,
    images: share(s.images),
    labels: share(s.labels),
  });
  return { train: set(data.train), test: set(data.test) };
}

interface WorkerRun {
  worker: Worker;
  /** Settles when the worker has trained and closed its event files. */
  result: Promise<void>;
}

function trainInWorker(
  workerData: FashionWorkerData,
  onMessage: (message: FashionWorkerMessage) => void,
): WorkerRun {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const label = `fashion (${workerData.args.activation})`;
  const result = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FashionWorkerMessage) => {
      if (message.type === 'done') resolve();
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
): Promise<void> {
  const done = new Map<string, number>();
  const batches = (run: FashionTrainArgs) =>
    run.epochs * Math.ceil(data.train.count / run.batchSize);
  progress.start(
    `fashion (${runs.map((r) => r.activation).join(' + ')})`,
    runs.reduce((sum, run) => sum + batches(run), 0),
  );
  const shared = shareData(data);
  const workers = runs.map((args) =>
    trainInWorker({ data: shared, args }, (message) => {
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
      }
    }),
  );
  // Once one fails, the others' rejections (terminated) are expected and not worth a crash.
  for (const { result } of workers) result.catch(() => {});
  try {
    await Promise.all(workers.map((w) => w.result));
    progress.finish();
  } catch (error) {
    // One model failed: stop the other instead of letting it train on unseen.
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw error;
  }
}

export const fashionExperiment: Experiment = {
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
      description: 'use only the first N training and test images (quick runs)',
    },
  ],
  async run({ outDir, flags, progress }) {
    const clipping = clippingFromFlags(flags); // validated before any work
    let data = await ensureFashionMnist({
      dir: stringFlag(flags, 'data-dir'),
      log: (line) => progress.note(line),
    });
    const samples = numberFlag(flags, 'train-samples');
    if (samples !== undefined)
      data = { train: firstImages(data.train, samples), test: firstImages(data.test, samples) };
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
    }));
    await trainAll(data, runs, progress);
    // Everything below is read back from the event files, as any TensorBoard consumer would.
    const provider = new DirectoryProvider(join(outDir, 'fashion'));
    const read: FashionRun[] = [];
    for (const run of runs) read.push(await readFashionRun(provider, run.activation));
    const section = await fashionSection(provider, read, runs[0], {
      train: data.train.count,
      test: data.test.count,
    });
    section.findings.forEach((line) => progress.note(`fashion: ${line}`));
    const models = Object.fromEntries(
      read.map((run) => [
        run.activation,
        {
          loss: run.loss,
          val_loss: run.valLoss,
          accuracy: run.accuracy,
          val_accuracy: run.valAccuracy,
        },
      ]),
    );
    return { json: { models }, sections: [section] };
  },
};
