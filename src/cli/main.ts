/**
 * The CLI: `gradscope <command> [flags]`. Parses flags, runs the experiment(s), writes the
 * report and prints either a short summary or, with --json, the results alone on stdout.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeReport } from '../report/html.js';
import type { ReportSection } from '../report/types.js';
import type { Experiment, ExperimentOutput } from '../experiments/experiment.js';
import { formatFlags, parseFlags, UsageError } from './args.js';
import type { FlagSpec, FlagValues } from './args.js';
import { EXPERIMENTS, SEED_COMMAND } from './commands.js';
import { createProgress } from './progress.js';

function commonFlags(command: string, defaultSeed?: number): FlagSpec[] {
  return [
    {
      name: 'seed',
      kind: 'integer',
      default: defaultSeed,
      description: 'random seed (default: each experiment its own)',
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
    { name: 'help', kind: 'boolean', default: false, description: 'show this help' },
  ];
}

function usage(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length), SEED_COMMAND.length);
  return [
    'gradscope — see the gradient flow through every layer, and fix it',
    '',
    'Usage: gradscope <command> [flags]      (gradscope <command> --help for its flags)',
    '',
    'Commands:',
    `  ${SEED_COMMAND.padEnd(width)}  run every experiment below and write one report (npm start)`,
    ...EXPERIMENTS.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`),
  ].join('\n');
}

function commandHelp(name: string, specs: readonly FlagSpec[], summary: string): string {
  return [`gradscope ${name} — ${summary}`, '', 'Flags:', formatFlags(specs)].join('\n');
}

/** The experiments a command runs, with the flags it accepts. */
function resolveCommand(command: string): {
  experiments: readonly Experiment[];
  specs: FlagSpec[];
  summary: string;
} {
  if (command === SEED_COMMAND) {
    const own = EXPERIMENTS.flatMap((e) => e.flags).filter(
      (flag, i, all) =>
        all.findIndex((other) => other.name === flag.name) === i && flag.name !== 'activation',
    );
    return {
      experiments: EXPERIMENTS,
      specs: [...commonFlags(command), ...own],
      summary: 'run every experiment into one report',
    };
  }
  const experiment = EXPERIMENTS.find((e) => e.name === command);
  if (!experiment) {
    throw new UsageError(
      `unknown command '${command}'. Expected one of: ${[SEED_COMMAND, ...EXPERIMENTS.map((e) => e.name)].join(', ')}`,
    );
  }
  return {
    experiments: [experiment],
    specs: [...commonFlags(command, experiment.defaultSeed), ...experiment.flags],
    summary: experiment.summary,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help' || command === '-h') {
    console.log(usage());
    return 0;
  }
  const { experiments, specs, summary } = resolveCommand(command);
  const flags = parseFlags(rest, specs);
  if (flags.help) {
    console.log(commandHelp(command, specs, summary));
    return 0;
  }
  const json = flags.json === true;
  const outDir = resolve(String(flags.out));
  const progress = createProgress({ json });
  const results: Record<string, unknown> = {};
  const sections: ReportSection[] = [];
  for (const experiment of experiments) {
    const own: FlagValues = { ...flags, seed: flags.seed ?? experiment.defaultSeed };
    await rm(resolve(outDir, experiment.name), { recursive: true, force: true });
    const output: ExperimentOutput = await experiment.run({ outDir, flags: own, progress });
    results[experiment.name] = output.json;
    sections.push(...output.sections);
  }
  const written = await writeReport(
    {
      title: 'gradscope: problems with gradient updates',
      subtitle:
        'Vanishing gradients with sigmoid, ReLU as the cure, exploding gradients through time, and clipping',
      sections,
      generatedAt: new Date(),
      meta: { command: ['gradscope', ...argv].join(' '), node: process.version },
    },
    outDir,
  );
  if (json) {
    const payload = experiments.length === 1 ? results[experiments[0].name] : results;
    process.stdout.write(`${JSON.stringify(payload)}\n`);
  } else {
    progress.note(
      `Report: ${written.html} (${written.pngs.length} figures in ${resolve(outDir, 'figures')})`,
    );
    progress.note(`Event files: tensorboard --logdir ${outDir}`);
  }
  return 0;
}
