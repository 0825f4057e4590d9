/**
 * The flags every command takes, and the flags of each experiment's command as diagnose needs
 * them: remedies on a run written by `gradscope depth` name only flags `depth` takes.
 */
import { MAX_SEED } from '../engine/random.js';
import type { FlagSpec } from '../experiments/flags.js';
import { EXPERIMENTS } from './commands.js';

/** --seed, --out, --json, --threads and --help, as `command` states their defaults. */
export function commonFlags(command: string, defaultSeed?: number): FlagSpec[] {
  return [
    {
      name: 'seed',
      kind: 'integer',
      min: 0,
      max: MAX_SEED,
      default: defaultSeed,
      description:
        defaultSeed === undefined
          ? 'random seed (default: each experiment its own)'
          : 'random seed',
    },
    {
      name: 'out',
      kind: 'string',
      default: `runs/${command}`,
      description: 'run directory: report, figures, event files',
    },
    {
      name: 'json',
      kind: 'boolean',
      default: false,
      description: 'print results as JSON on stdout, nothing else there',
    },
    {
      name: 'threads',
      kind: 'choice',
      choices: ['auto', '1', '2'],
      default: 'auto',
      description:
        'threads for the matrix products of models trained on the main thread (auto: 2 for large products while a core is free; training workers use 1); also GRADSCOPE_THREADS',
    },
    { name: 'help', kind: 'boolean', default: false, description: 'show this help' },
  ];
}

/** Each experiment's command and the flags it takes, `--learning-rate` style. */
export function commandFlags(): Map<string, Set<string>> {
  return new Map(
    EXPERIMENTS.map((experiment) => [
      experiment.name,
      new Set([...commonFlags(experiment.name), ...experiment.flags].map((f) => `--${f.name}`)),
    ]),
  );
}
