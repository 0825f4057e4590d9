/**
 * An experiment's command (or `seed`, all of them): parses its flags, runs the experiment(s)
 * into the run directory, writes the report and prints either a short summary or, with --json,
 * the results alone on stdout. Imported by main.ts only when such a command runs.
 */
import { resolve } from 'node:path';
import { collectGarbage } from '../collect-garbage.js';
import { productsDescription } from '../engine/kernels/native.js';
import { parseThreadSetting, setThreads } from '../engine/kernels/threads.js';
import { checkOutDir, RunDirectory, RunDirectoryError } from '../log/run-dir.js';
import { FIGURES_DIR, REPORT_FILE } from '../report/files.js';
import type { ReportSection } from '../report/types.js';
import type { Experiment } from '../experiments/experiment.js';
import { UsageError, withDefaults } from '../experiments/flags.js';
import type { FlagSpec, FlagValues } from '../experiments/flags.js';
import { withVerdicts } from '../experiments/verdicts.js';
import { formatFlags, parseFlags } from './args.js';
import { commandFlags, commonFlags } from './command-flags.js';
import { EXPERIMENTS, SEED_COMMAND } from './commands.js';
import { createProgress } from './progress.js';
import { SERVE_COMMAND } from './serve.js';

function commandHelp(name: string, specs: readonly FlagSpec[], summary: string): string {
  return [`gradscope ${name} — ${summary}`, '', 'Flags:', formatFlags(specs)].join('\n');
}

/**
 * The flags of several experiments as one list for `seed`: one entry per name; where the
 * experiments' defaults differ, none is shown and each experiment keeps its own.
 */
function mergeFlags(experiments: readonly Experiment[]): FlagSpec[] {
  const byName = new Map<string, FlagSpec[]>();
  for (const flag of experiments.flatMap((e) => e.flags)) {
    if (flag.name === 'activation') continue;
    byName.set(flag.name, [...(byName.get(flag.name) ?? []), flag]);
  }
  return [...byName.values()].map(([first, ...others]) =>
    others.every((other) => other.default === first.default)
      ? first
      : {
          ...first,
          default: undefined,
          description: `${first.description} (default: each experiment its own)`,
        },
  );
}

/** The experiments a command runs, with the flags it accepts. */
function resolveCommand(command: string): {
  experiments: readonly Experiment[];
  specs: FlagSpec[];
  summary: string;
} {
  if (command === SEED_COMMAND) {
    return {
      experiments: EXPERIMENTS,
      specs: [...commonFlags(command), ...mergeFlags(EXPERIMENTS)],
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

/** The --out directory, checked before anything else happens; a bad one is a usage error. */
function outDirOf(value: string): string {
  try {
    return checkOutDir(value);
  } catch (error) {
    if (error instanceof RunDirectoryError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs `command` (an experiment's name or `seed`) with the flags in `argv`; returns the exit code. */
export async function experimentCommand(command: string, argv: readonly string[]): Promise<number> {
  const rest = argv.slice(1);
  const { experiments, specs, summary } = resolveCommand(command);
  const given = parseFlags(rest, specs);
  if (given.help) {
    console.log(commandHelp(command, specs, summary));
    return 0;
  }
  const json = given.json === true;
  if (given.threads !== undefined) setThreads(parseThreadSetting(String(given.threads)));
  const outDir = outDirOf(String(given.out ?? `runs/${command}`));
  const progress = createProgress({ json });
  // Every flag and input is checked before the run directory is touched: a typo costs nothing.
  const prepared = [];
  for (const experiment of experiments) {
    const flags: FlagValues = withDefaults(
      { ...given, seed: given.seed ?? experiment.defaultSeed },
      [...commonFlags(command), ...experiment.flags],
    );
    prepared.push({ experiment, flags, inputs: await experiment.prepare({ flags, progress }) });
  }
  const commandLine = ['gradscope', ...argv].join(' ');
  const runDir = RunDirectory.open(outDir, {
    command: commandLine,
    log: (line) => progress.note(line),
  });
  try {
    const eventDirs = experiments.map((e) => e.name);
    runDir.checkWritable([REPORT_FILE], eventDirs);
    // The previous report goes with the logs it was drawn from.
    runDir.removeOwn([...eventDirs, FIGURES_DIR], [REPORT_FILE]);
    const results: Record<string, unknown> = {};
    const sections: ReportSection[] = [];
    const diverged: string[] = [];
    const flagsOfCommands = commandFlags();
    // Taken off the list as each runs, so that its inputs (Fashion-MNIST: 55 MB) can go after.
    for (let next = prepared.shift(); next; next = prepared.shift()) {
      const { experiment, flags, inputs } = next;
      try {
        const context = {
          outDir,
          files: runDir,
          flags,
          progress,
          command: { name: experiment.name, flags: flagsOfCommands.get(experiment.name)! },
        };
        const output = await experiment.run(context, inputs);
        results[experiment.name] = output.json;
        for (const section of output.sections) {
          sections.push(await withVerdicts(section, outDir, experiment.name, flagsOfCommands));
        }
        diverged.push(...(output.diverged ?? []));
      } finally {
        runDir.claimEventFiles(experiment.name);
      }
      // What the experiment dropped (its inputs, its models) goes before the next one starts.
      collectGarbage();
    }
    const report = {
      title: 'gradscope: problems with gradient updates',
      subtitle:
        'Vanishing gradients with sigmoid, ReLU as the cure, exploding gradients through time, and clipping',
      sections,
      generatedAt: new Date(),
      meta: { command: commandLine, node: process.version, products: productsDescription() },
    };
    // Imported only now: the renderer (vega, resvg) holds ~22 MB that training does not need.
    const { writeReport } = await import('../report/html.js');
    const written = await writeReport(report, outDir, runDir);
    if (json) {
      const payload = experiments.length === 1 ? results[experiments[0].name] : results;
      process.stdout.write(`${JSON.stringify(payload)}\n`);
    } else {
      progress.note(
        `Report: ${written.html} (${written.pngs.length} figures in ${resolve(outDir, FIGURES_DIR)})`,
      );
      progress.note(`Event files: tensorboard --logdir ${outDir}`);
      progress.note(`Dashboard: npx gradscope ${SERVE_COMMAND} --logdir ${outDir}`);
    }
    for (const message of diverged) process.stderr.write(`gradscope: ${message}\n`);
    return diverged.length > 0 ? 1 : 0;
  } finally {
    runDir.release();
  }
}
