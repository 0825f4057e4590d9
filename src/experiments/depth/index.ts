/**
 * `gradscope depth`: initialization against depth on Fashion-MNIST. Glorot & Bengio (2010):
 * standard against normalized init for tanh, sigmoid and softsign networks; He et al. (2015):
 * Glorot against He init for a deep ReLU network. Every run writes event files; the report and
 * --json read them back through the run provider.
 */
import { join } from 'node:path';
import { ensureFashionMnist } from '../../data/fashion-mnist-install.js';
import { firstImages, imageDataset } from '../../data/image-dataset.js';
import type { ImageSet } from '../../data/image-set.js';
import type { ActivationName } from '../../engine/activations.js';
import { tidy } from '../../engine/tensor.js';
import { DirectoryProvider } from '../../log/provider.js';
import { RunWriter } from '../../log/run-writer.js';
import type { RecordSink } from '../../probe/sink.js';
import type { Experiment } from '../experiment.js';
import { numberFlag, stringFlag } from '../flags.js';
import {
  readEpochLoss,
  readLayerStats,
  readSignalNorms,
  readTrainedLayerStats,
} from './results.js';
import { depthSection } from './section.js';
import type { DepthResults, DepthSetup } from './section.js';
import { runGlorot, runHe } from './train.js';
import type { GlorotInit, HeInit } from './train.js';

export const GLOROT_ACTIVATIONS: readonly ActivationName[] = ['tanh', 'sigmoid', 'softsign'];
const GLOROT_INITS: readonly GlorotInit[] = ['standard', 'normalized'];
const HE_INITS: readonly HeInit[] = ['glorot', 'he'];

/** Sizes that run in seconds; --full takes the paper's width and all 60,000 images. */
export const REDUCED = { width: 256, heWidth: 64, trainSamples: 6400, updates: 100, epochs: 3 };
export const FULL = { width: 1000, heWidth: 256, trainSamples: 60000, updates: 2000, epochs: 10 };
const BATCH_SIZE = 32;

/** One run: its event files closed and its tensors released when it is done. */
function withWriter(logDir: string, work: (sink: RecordSink) => void): void {
  const writer = new RunWriter(logDir, { command: 'depth' });
  try {
    tidy(() => work(writer));
  } finally {
    writer.close();
  }
}

/** What `prepare` checked and read. */
interface DepthInputs {
  setup: DepthSetup;
  seed: number;
  images: ImageSet;
}

export const depthExperiment: Experiment<DepthInputs> = {
  name: 'depth',
  summary: 'initialization and depth: Glorot & Bengio (2010) and He et al. (2015) on Fashion-MNIST',
  defaultSeed: 0,
  flags: [
    {
      name: 'full',
      kind: 'boolean',
      default: false,
      description: 'the paper’s width (1000) and all 60,000 images',
    },
    {
      name: 'width',
      kind: 'integer',
      positive: true,
      description: `Glorot study's hidden width (default ${REDUCED.width}; --full ${FULL.width})`,
    },
    {
      name: 'train-samples',
      kind: 'integer',
      positive: true,
      description: `use only the first N training images (default ${REDUCED.trainSamples})`,
    },
    {
      name: 'updates',
      kind: 'integer',
      positive: true,
      description: `Glorot study's parameter updates (default ${REDUCED.updates}; --full ${FULL.updates})`,
    },
    {
      name: 'epochs',
      kind: 'integer',
      positive: true,
      description: `He study's epochs (default ${REDUCED.epochs}; --full ${FULL.epochs})`,
    },
    { name: 'data-dir', kind: 'string', description: 'directory of the Fashion-MNIST IDX files' },
  ],
  async prepare({ flags, progress }) {
    const full = flags.full === true;
    const sizes = full ? FULL : REDUCED;
    const setup: DepthSetup = {
      glorot: {
        depth: 5,
        width: numberFlag(flags, 'width', sizes.width)!,
        updates: numberFlag(flags, 'updates', sizes.updates)!,
        learningRate: 0.1,
      },
      he: {
        depth: 30,
        width: sizes.heWidth,
        epochs: numberFlag(flags, 'epochs', sizes.epochs)!,
        learningRate: 0.01,
        momentum: 0.9,
      },
      trainSamples: numberFlag(flags, 'train-samples', sizes.trainSamples)!,
      full,
    };
    const seed = numberFlag(flags, 'seed', 0)!;
    const data = await ensureFashionMnist({
      dir: stringFlag(flags, 'data-dir'),
      shared: true,
      log: (line) => progress.note(line),
    });
    // A copy: the subset is a tenth of the set, which goes once `fashion` is done with it.
    return { setup, seed, images: firstImages(data.train, setup.trainSamples, { copy: true }) };
  },
  async run({ outDir, progress, command }, { setup, seed, images }) {
    const train = imageDataset(images);
    const root = join(outDir, 'depth');
    const total = GLOROT_ACTIVATIONS.length * GLOROT_INITS.length + HE_INITS.length;
    let done = 0;
    progress.start('depth', total);
    for (const activation of GLOROT_ACTIVATIONS) {
      for (const init of GLOROT_INITS) {
        withWriter(join(root, `glorot_${activation}_${init}`), (sink) =>
          runGlorot({
            ...setup.glorot,
            activation,
            init,
            train,
            // At initialization and at the last update.
            statSteps: [0, setup.glorot.updates - 1],
            seed,
            sink,
            runName: `depth/glorot_${activation}_${init}`,
            onVerdict: (line) => progress.note(line),
            command,
          }),
        );
        progress.update(++done, `${activation} ${init}`);
      }
    }
    for (const init of HE_INITS) {
      withWriter(join(root, `he_${init}`), (sink) =>
        runHe({
          ...setup.he,
          init,
          train,
          seed,
          sink,
          runName: `depth/he_${init}`,
          onVerdict: (line) => progress.note(line),
          command,
        }),
      );
      progress.update(++done, `relu ${init}`);
    }
    progress.finish();
    const provider = new DirectoryProvider(root);
    const results: DepthResults = { glorot: {}, he: {} as DepthResults['he'] };
    for (const activation of GLOROT_ACTIVATIONS) {
      const inits = {} as DepthResults['glorot'][string];
      for (const init of GLOROT_INITS) {
        const run = `glorot_${activation}_${init}`;
        inits[init] = {
          ...(await readLayerStats(provider, run, setup.glorot.depth, 0)),
          trained: await readTrainedLayerStats(
            provider,
            run,
            setup.glorot.depth,
            setup.glorot.updates - 1,
          ),
        };
      }
      results.glorot[activation] = inits;
    }
    const stepsPerEpoch = Math.ceil(train.count / BATCH_SIZE);
    for (const init of HE_INITS) {
      results.he[init] = {
        loss: await readEpochLoss(provider, `he_${init}`, stepsPerEpoch),
        signalNorm: await readSignalNorms(provider, `he_${init}`, setup.he.depth, 0),
      };
    }
    const section = depthSection(results, setup);
    section.findings.forEach((line) => progress.note(`depth: ${line}`));
    return { json: results, sections: [section] };
  },
};
