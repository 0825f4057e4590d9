/**
 * `gradscope sequence`: the adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton
 * 2015) for SimpleRNN, LSTM and GRU at several sequence lengths, with the gradient's profile
 * through time. The runs train on worker threads, write event files, and the report reads them
 * back through the run provider.
 */
import { join } from 'node:path';
import { DirectoryProvider } from '../../log/provider.js';
import type { Experiment } from '../experiment.js';
import { numberFlag, stringFlag, UsageError } from '../flags.js';
import type { FlagValues } from '../flags.js';
import { firstToLast } from './findings.js';
import { SEQUENCE_MODELS } from './model.js';
import type { SequenceModel } from './model.js';
import { runTasks } from './pool.js';
import { readSequenceResult, sequenceRunName } from './results.js';
import { sequenceSection } from './section.js';
import type { SequenceSetup } from './section.js';
import type { SequenceTask } from './task.js';

export const DEFAULT_LENGTHS = '10,50,100';

/** Sizes that run in well under a minute on two cores (measured: see the report). */
export const REDUCED = { units: 16, steps: 600, testSamples: 1000 } as const;
/** Bigger sizes: the benchmark's 64 units, 5,000 steps (160,000 sequences), 10,000 test ones. */
export const FULL = { units: 64, steps: 5000, testSamples: 10000 } as const;
export const BATCH_SIZE = 32;
export const LEARNING_RATE = 0.01;

/** The positive integers of a comma-separated flag value. */
function integerList(flag: string, text: string, min: number): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new UsageError(
      `--${flag} must be a comma-separated list of integers ≥ ${min}. Received: ${text}`,
    );
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function modelList(text: string): SequenceModel[] {
  const names = text.split(',').map((part) => part.trim());
  const unknown = names.filter((n) => !(SEQUENCE_MODELS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--models must list some of ${SEQUENCE_MODELS.join(', ')}. Received: ${text}`,
    );
  }
  return SEQUENCE_MODELS.filter((m) => names.includes(m));
}

function setupFromFlags(flags: FlagValues): SequenceSetup {
  const full = flags.full === true;
  const sizes = full ? FULL : REDUCED;
  return {
    units: numberFlag(flags, 'units', sizes.units)!,
    steps: numberFlag(flags, 'updates', sizes.steps)!,
    batchSize: numberFlag(flags, 'batch-size', BATCH_SIZE)!,
    learningRate: numberFlag(flags, 'learning-rate', LEARNING_RATE)!,
    testSamples: numberFlag(flags, 'test-samples', sizes.testSamples)!,
    full,
  };
}

/** What `prepare` checked. */
interface SequenceInputs {
  lengths: number[];
  models: SequenceModel[];
  setup: SequenceSetup;
  seed: number;
}

export const sequenceExperiment: Experiment<SequenceInputs> = {
  name: 'sequence',
  summary:
    'gradients through time: SimpleRNN, LSTM and GRU on the adding problem at T = 10, 50, 100',
  defaultSeed: 0,
  flags: [
    {
      name: 'lengths',
      kind: 'string',
      default: DEFAULT_LENGTHS,
      description: 'sequence lengths T, comma-separated (each ≥ 2)',
    },
    {
      name: 'models',
      kind: 'string',
      default: SEQUENCE_MODELS.join(','),
      description: 'models to train, comma-separated',
    },
    {
      name: 'full',
      kind: 'boolean',
      default: false,
      description: `bigger sizes: ${FULL.units} units, ${FULL.steps} updates, ${FULL.testSamples} test sequences`,
    },
    {
      name: 'units',
      kind: 'integer',
      positive: true,
      description: `hidden units (default ${REDUCED.units}; --full ${FULL.units})`,
    },
    {
      name: 'updates',
      kind: 'integer',
      positive: true,
      description: `parameter updates (default ${REDUCED.steps}; --full ${FULL.steps})`,
    },
    {
      name: 'test-samples',
      kind: 'integer',
      positive: true,
      description: `test sequences (default ${REDUCED.testSamples}; --full ${FULL.testSamples})`,
    },
    {
      name: 'batch-size',
      kind: 'integer',
      positive: true,
      default: BATCH_SIZE,
      description: 'sequences per step',
    },
    {
      name: 'learning-rate',
      kind: 'number',
      positive: true,
      default: LEARNING_RATE,
      description: "Adam's learning rate",
    },
  ],
  async prepare({ flags }) {
    const lengths = integerList('lengths', stringFlag(flags, 'lengths', DEFAULT_LENGTHS)!, 2);
    const models = modelList(stringFlag(flags, 'models', SEQUENCE_MODELS.join(','))!);
    return { lengths, models, setup: setupFromFlags(flags), seed: numberFlag(flags, 'seed', 0)! };
  },
  async run({ outDir, progress, command }, { lengths, models, setup, seed }) {
    const root = join(outDir, 'sequence');
    const tasks: SequenceTask[] = lengths.flatMap((timesteps) =>
      models.map((model) => ({
        model,
        timesteps,
        units: setup.units,
        steps: setup.steps,
        batchSize: setup.batchSize,
        learningRate: setup.learningRate,
        testSamples: setup.testSamples,
        seed,
        logDir: join(root, sequenceRunName(model, timesteps)),
        runName: `sequence/${sequenceRunName(model, timesteps)}`,
        command,
      })),
    );
    const done = new Array<number>(tasks.length).fill(0);
    progress.start('sequence', tasks.length * setup.steps);
    const onStep = (task: number, steps: number) => {
      done[task] = steps;
      const { model, timesteps } = tasks[task];
      progress.update(
        done.reduce((a, b) => a + b, 0),
        `${model} T=${timesteps}`,
      );
    };
    const runs = await runTasks(tasks, onStep, undefined, (line) => progress.note(line));
    progress.finish();
    const provider = new DirectoryProvider(root);
    const results = [];
    for (const run of runs) results.push(await readSequenceResult(provider, run));
    const section = sequenceSection(results, setup);
    section.findings.forEach((line) => progress.note(`sequence: ${line}`));
    const json = {
      results: results.map((r) => ({
        model: r.model,
        T: r.timesteps,
        testMse: r.testMse,
        baselineMse: r.baselineMse,
        gradRatioFirstToLast: firstToLast(r.after.ratios),
      })),
    };
    return { json, sections: [section] };
  },
};
