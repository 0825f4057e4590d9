/** `gradscope titanic`: the article's vanishing-gradient demonstration on the Titanic passengers. */
import { join } from 'node:path';
import type { ActivationName } from '../../engine/activations.js';
import type { OptimizerName } from '../../engine/optimizers/index.js';
import { loadTitanic, prepareTitanic } from '../../data/titanic.js';
import type { NormKind } from '../../probe/tags.js';
import { TerminateOnNonFinite } from '../../engine/terminate-on-nonfinite.js';
import { directoryBytes } from '../../log/run-dir.js';
import { markDivergences, showDivergence } from '../diverged.js';
import type { Experiment } from '../experiment.js';
import type { ProgressSink } from '../progress.js';
import { numberFlag, stringFlag, UsageError } from '../flags.js';
import { readTitanicRun, trainTitanic } from './train.js';
import { DirectoryProvider } from '../../log/provider.js';
import type { TitanicRun } from './train.js';
import { titanicSection } from './section.js';
import { checkRun, type CheckedRun } from '../verdicts.js';
import { checkBatchSize, clippingFromFlags, trainingFlags } from '../training-flags.js';
import type { ClippingArgs } from '../../engine/clipping.js';
import type { TitanicDataset } from '../../data/titanic.js';

export const TITANIC_UPDATES = 50;
/** Upper bound of --updates: every update is probed, a few kB of log per model each. */
export const MAX_TITANIC_UPDATES = 100_000;

/** What `prepare` checked and read. */
interface TitanicInputs {
  seed: number;
  clipping: ClippingArgs | undefined;
  data: TitanicDataset;
}

/** Updates after which the log size so far is extrapolated: past the first histograms. */
const LOG_SAMPLE_UPDATES = 20;
/** Projected event-file bytes above which the user is warned. */
const LOG_WARN_BYTES = 100e6;

/**
 * A hook for the first model's progress that, once LOG_SAMPLE_UPDATES are logged, extrapolates
 * the bytes written so far to the whole run and warns when that passes LOG_WARN_BYTES.
 */
function logSizeWarning(
  outDir: string,
  updates: number,
  models: number,
  progress: ProgressSink,
): (done: number, activation: string) => void {
  return (done, activation) => {
    if (done !== LOG_SAMPLE_UPDATES || updates <= LOG_SAMPLE_UPDATES) return;
    const sampled = directoryBytes(join(outDir, 'titanic', activation));
    const projected = (sampled / done) * updates * models;
    if (projected > LOG_WARN_BYTES) {
      progress.note(
        `titanic: warning: the event files will take about ${formatBytes(projected)} ` +
          `(${done} updates of ${activation} wrote ${formatBytes(sampled)}; --updates ${updates}, ` +
          `${models} model(s)). Fewer --updates keep the log small.`,
      );
    }
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

export const titanicExperiment: Experiment<TitanicInputs> = {
  name: 'titanic',
  summary:
    'vanishing gradients: sigmoid vs ReLU on the Titanic passengers, 50 updates, per-update probes',
  defaultSeed: 0,
  flags: [
    {
      name: 'updates',
      kind: 'integer',
      positive: true,
      max: MAX_TITANIC_UPDATES,
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
  async prepare({ flags, progress }) {
    const seed = numberFlag(flags, 'seed', 0)!;
    const validationSplit = numberFlag(flags, 'validation-split', 0.2)!;
    if (!(validationSplit > 0 && validationSplit < 1)) {
      throw new UsageError(`--validation-split must be in (0, 1). Received: ${validationSplit}`);
    }
    const clipping = clippingFromFlags(flags);
    const passengers = loadTitanic(stringFlag(flags, 'data'));
    const batchSize = numberFlag(flags, 'batch-size', 32)!;
    const data = prepareTitanic(passengers, { seed, validationSplit, batchSize });
    checkBatchSize(flags, data.train.count, 'training passengers');
    data.warnings.forEach((warning) => progress.note(`titanic: warning: ${warning}`));
    return { seed, clipping, data };
  },
  async run({ outDir, files, flags, progress, command }, { seed, clipping, data }) {
    const updates = numberFlag(flags, 'updates', TITANIC_UPDATES)!;
    const normKind = stringFlag(flags, 'norm', 'l2') as NormKind;
    const activations = (
      flags.activation ? [flags.activation] : ['sigmoid', 'relu']
    ) as ActivationName[];
    const optimizer = stringFlag(flags, 'optimizer', 'sgd') as OptimizerName;
    const learningRate = numberFlag(flags, 'learning-rate');
    const batchSize = numberFlag(flags, 'batch-size', 32)!;
    const stoppers = activations.map(() => new TerminateOnNonFinite());
    const warnLogSize = logSizeWarning(outDir, updates, activations.length, progress);
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
        onUpdate: (done) => {
          progress.update(i * updates + done, activation);
          if (i === 0) warnLogSize(done, activation);
        },
        onVerdict: (line) => progress.note(line),
        command,
        callbacks: [stoppers[i]],
      });
    }
    progress.finish();
    // The report reads the runs back from their event files, as any TensorBoard consumer would.
    const provider = new DirectoryProvider(join(outDir, 'titanic'));
    const runs: TitanicRun[] = [];
    const checked: CheckedRun[] = [];
    for (const activation of activations) {
      runs.push(await readTitanicRun(provider, activation, { activation, normKind, updates }));
      checked.push(await checkRun(provider, activation));
    }
    const normTitle = normKind === 'squared' ? 'Σg² (the article’s “L2 norm”)' : '‖∂L/∂W‖ = √Σg²';
    const setup =
      `${data.train.count} passengers train and ${data.validation.count} validate (d = ${data.d} features: ` +
      `${data.featureNames.join(', ')}); ${optimizer}` +
      `${learningRate === undefined ? '' : ` with learning rate ${learningRate}`}, batch ${batchSize}, ${updates} updates, seed ${seed}.`;
    const signalTitle = normKind === 'squared' ? 'Σ(∂L/∂a)²' : '‖∂L/∂a‖';
    const diverged = markDivergences(
      { outDir, files },
      runs.map((run, i) => ({
        relLogDir: join('titanic', run.activation),
        divergence: stoppers[i].divergence,
      })),
    );
    const section = showDivergence(
      titanicSection(runs, checked, { updates, normTitle, signalTitle, setup }),
      diverged,
    );
    section.findings.forEach((line) => progress.note(`titanic: ${line}`));
    const json = {
      normKind,
      features: data.featureNames,
      models: Object.fromEntries(
        runs.map((run, i) => [
          run.activation,
          {
            ...run.series,
            initialElement: run.initialElement,
            validation: run.validation,
            ...(stoppers[i].divergence && { diverged: stoppers[i].divergence }),
          },
        ]),
      ),
    };
    return { json, sections: [section], diverged };
  },
};
