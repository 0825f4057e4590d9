/** `gradscope titanic`: the article's vanishing-gradient demonstration on the Titanic passengers. */
import { join } from 'node:path';
import type { ActivationName } from '../../engine/activations.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { loadTitanic, prepareTitanic } from '../../data/titanic.js';
import type { NormKind } from '../../probe/tags.js';
import type { Experiment } from '../experiment.js';
import { numberFlag, stringFlag, UsageError } from '../flags.js';
import { readTitanicRun, trainTitanic } from './train.js';
import { DirectoryProvider } from '../../log/provider.js';
import type { TitanicRun } from './train.js';
import { titanicSection } from './section.js';
import { clippingFromFlags, trainingFlags } from '../training-flags.js';

export const TITANIC_UPDATES = 50;

export const titanicExperiment: Experiment = {
  name: 'titanic',
  summary:
    'vanishing gradients: sigmoid vs ReLU on the Titanic passengers, 50 updates, per-update probes',
  defaultSeed: 0,
  flags: [
    {
      name: 'updates',
      kind: 'integer',
      positive: true,
      default: TITANIC_UPDATES,
      description: 'parameter updates',
    },
    ...trainingFlags({ batchSize: 32, optimizer: 'sgd', learningRate: 0.1 }),
    {
      name: 'validation-split',
      kind: 'number',
      default: 0.2,
      description: 'share of passengers held out',
    },
    {
      name: 'norm',
      kind: 'choice',
      choices: ['l2', 'squared'],
      default: 'l2',
      description: "gradient norm shown: √Σg² (l2) or Σg² (the article's 'L2 norm')",
    },
    {
      name: 'data',
      kind: 'string',
      description: 'Titanic train.csv (default: the copy shipped in data/titanic/)',
    },
  ],
  async run({ outDir, flags, progress }) {
    const seed = numberFlag(flags, 'seed', 0)!;
    const validationSplit = numberFlag(flags, 'validation-split', 0.2)!;
    if (!(validationSplit > 0 && validationSplit < 1)) {
      throw new UsageError(`--validation-split must be in (0, 1). Received: ${validationSplit}`);
    }
    const clipping = clippingFromFlags(flags); // validated before any work
    const passengers = loadTitanic(stringFlag(flags, 'data'));
    const data = prepareTitanic(passengers, { seed, validationSplit });
    const updates = numberFlag(flags, 'updates', TITANIC_UPDATES)!;
    const normKind = stringFlag(flags, 'norm', 'l2') as NormKind;
    const activations = (
      flags.activation ? [flags.activation] : ['sigmoid', 'relu']
    ) as ActivationName[];
    const optimizer = stringFlag(flags, 'optimizer', 'sgd') as OptimizerName;
    const learningRate = numberFlag(flags, 'learning-rate');
    const batchSize = numberFlag(flags, 'batch-size', 32)!;
    progress.start('titanic', updates * activations.length);
    for (const [i, activation] of activations.entries()) {
      trainTitanic({
        data,
        activation,
        updates,
        batchSize,
        optimizer,
        learningRate,
        seed,
        normKind,
        clipping,
        logDir: join(outDir, 'titanic', activation),
        onUpdate: (done) => progress.update(i * updates + done, activation),
      });
    }
    progress.finish();
    // The report reads the runs back from their event files, as any TensorBoard consumer would.
    const provider = new DirectoryProvider(join(outDir, 'titanic'));
    const runs: TitanicRun[] = [];
    for (const activation of activations) {
      runs.push(await readTitanicRun(provider, activation, { activation, normKind, updates }));
    }
    const normTitle = normKind === 'squared' ? 'Σg² (the article’s “L2 norm”)' : '‖∂L/∂W‖ = √Σg²';
    const setup =
      `${data.train.count} passengers train and ${data.validation.count} validate (d = ${data.d} features: ` +
      `${data.featureNames.join(', ')}); ${optimizer}` +
      `${learningRate === undefined ? '' : ` with learning rate ${learningRate}`}, batch ${batchSize}, ${updates} updates, seed ${seed}.`;
    const signalTitle = normKind === 'squared' ? 'Σ(∂L/∂a)²' : '‖∂L/∂a‖';
    const section = titanicSection(runs, { updates, normTitle, signalTitle, setup });
    section.findings.forEach((line) => progress.note(`titanic: ${line}`));
    const json = {
      normKind,
      features: data.featureNames,
      models: Object.fromEntries(
        runs.map((run) => [
          run.activation,
          { ...run.series, initialElement: run.initialElement, validation: run.validation },
        ]),
      ),
    };
    return { json, sections: [section] };
  },
};
