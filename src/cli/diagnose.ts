/**
 * `gradscope diagnose [LOGDIR|RUN ...]`: every check over every run found under the given
 * directories (`runs/` by default), a table per run, or with --json exactly
 * `{"runs": {"<run>": {"verdicts": [...], "skipped": [...]}}}`. Exit code 0 when no verdict is
 * an error, 1 when one is (so it can gate CI), 2 for usage errors and unreadable input.
 * Damaged event files are warned about on stderr (file and offset) and the rest is diagnosed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type FlagSpec } from '../experiments/flags.js';
import { formatFlags, parseFlags } from './args.js';
import { commandOfWriter } from '../log/proto.js';
import { DirectoryProvider } from '../log/provider.js';
import { diagnoseAll, type Diagnosis } from '../diagnose/diagnose.js';
import type { ThresholdOverrides, Verdict } from '../diagnose/rule.js';
import { RULES } from '../diagnose/rules/index.js';

export const DIAGNOSE_SUMMARY =
  'verdicts, evidence and remedies for TensorBoard runs (ours, PyTorch, Keras)';
const DEFAULT_LOGDIR = 'runs';

const FLAGS: FlagSpec[] = [
  {
    name: 'json',
    kind: 'boolean',
    default: false,
    description: 'print {"runs": {...}} as JSON on stdout, nothing else there',
  },
  {
    name: 'threshold',
    kind: 'string',
    description:
      'override thresholds: check.name=value[,check.name=value…], e.g. exploding_gradient.layerRatio=100',
  },
  { name: 'help', kind: 'boolean', default: false, description: 'show this help and the checks' },
];

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command; returns its exit code. Throws UsageError for bad flags (exit code 2). */
export async function diagnoseCommand(
  argv: readonly string[],
  io: CommandIO = processIO,
): Promise<number> {
  const { paths, flagArgs } = splitArguments(argv);
  const flags = parseFlags(flagArgs, FLAGS);
  if (flags.help) {
    io.stdout(`${help()}\n`);
    return 0;
  }
  const thresholds = parseThresholds(
    typeof flags.threshold === 'string' ? flags.threshold : undefined,
  );
  const roots = paths.length > 0 ? paths : [DEFAULT_LOGDIR];
  const runs: Record<string, Diagnosis> = {};
  for (const root of roots) {
    await checkDirectory(root);
    const provider = new DirectoryProvider(root);
    const commandFlags = await commandFlagsFor(provider);
    const results = await diagnoseAll(provider, { thresholds, commandFlags });
    if (results.size === 0) {
      throw new UsageError(
        `no runs under ${root}: expected directories holding TensorBoard event files (names containing "tfevents")`,
      );
    }
    for (const [name, diagnosis] of results)
      runs[roots.length > 1 ? joinName(root, name) : name] = diagnosis;
    for (const warning of provider.warnings()) {
      io.stderr(
        `gradscope diagnose: warning: ${warning.file} at offset ${warning.offset}: ${warning.message}\n`,
      );
    }
  }
  io.stdout(flags.json ? `${JSON.stringify({ runs })}\n` : formatTables(runs));
  const anyError = Object.values(runs).some((d) => d.verdicts.some((v) => v.severity === 'error'));
  return anyError ? 1 : 0;
}

/**
 * The flags of gradscope's commands, when a run under `provider` names the command that wrote
 * it: only then do remedies need them. Imported only then, since they come with every
 * experiment's code (the engine, the probes: about 0.15 s of start-up). Reads the runs, which
 * the provider keeps for diagnosing them.
 */
async function commandFlagsFor(
  provider: DirectoryProvider,
): Promise<Map<string, Set<string>> | undefined> {
  for (const run of await provider.listRuns()) {
    const writers = await provider.writers(run);
    if (writers.some((writer) => typeof commandOfWriter(writer) === 'string'))
      return (await import('./command-flags.js')).commandFlags();
  }
  return undefined;
}

function help(): string {
  const checks = RULES.map((rule) => {
    const limits = Object.entries(rule.thresholds).map(
      ([name, t]) => `${name}=${t.value} (${t.anchor})`,
    );
    return `  ${rule.name.padEnd(24)} ${rule.summary}${limits.length > 0 ? `\n${' '.repeat(27)}${limits.join('; ')}` : ''}`;
  });
  return [
    `gradscope diagnose [LOGDIR|RUN ...] — ${DIAGNOSE_SUMMARY}`,
    '',
    `Reads every run under each directory (default: ${DEFAULT_LOGDIR}/). Exit code: 0 no error verdict, 1 an error verdict, 2 usage error.`,
    '',
    'Flags:',
    formatFlags(FLAGS),
    '',
    'Checks and thresholds (anchor):',
    ...checks,
  ].join('\n');
}

/** Paths are the arguments that are neither flags nor a flag's value. */
function splitArguments(argv: readonly string[]): { paths: string[]; flagArgs: string[] } {
  const paths: string[] = [];
  const flagArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      paths.push(arg);
      continue;
    }
    flagArgs.push(arg);
    const takesValue = FLAGS.some((f) => f.kind !== 'boolean' && `--${f.name}` === arg);
    if (takesValue && i + 1 < argv.length) flagArgs.push(argv[++i]);
  }
  return { paths, flagArgs };
}

function parseThresholds(text: string | undefined): ThresholdOverrides {
  const overrides: Record<string, Record<string, number>> = {};
  if (text === undefined) return overrides;
  for (const item of text.split(',').filter((s) => s.trim() !== '')) {
    const match = /^\s*([a-z_]+)\.([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(item);
    const rule = match ? RULES.find((r) => r.name === match[1]) : undefined;
    const value = match ? Number(match[3]) : NaN;
    if (!match || !rule || !(match[2] in rule.thresholds) || !Number.isFinite(value)) {
      const known = RULES.flatMap((r) => Object.keys(r.thresholds).map((t) => `${r.name}.${t}`));
      throw new UsageError(
        `--threshold expects check.name=number with one of ${known.join(', ')}. Received: ${item}`,
      );
    }
    (overrides[match[1]] ??= {})[match[2]] = value;
  }
  return overrides;
}

async function checkDirectory(root: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(root);
  } catch {
    throw new UsageError(
      `no such directory: ${root} (expected a log directory or a run directory)`,
    );
  }
  if (!stat.isDirectory()) {
    throw new UsageError(`${root} is not a directory: expected a log directory or a run directory`);
  }
}

function joinName(root: string, run: string): string {
  const base = path.normalize(root).replace(/\/$/, '');
  return run === '.' ? base : `${base}/${run}`;
}

function formatEvidence(evidence: Verdict['evidence']): string {
  return Object.entries(evidence)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

function formatSteps(verdict: Verdict): string {
  if (verdict.firstStep === null) return '';
  return verdict.lastStep === null || verdict.lastStep === verdict.firstStep
    ? String(verdict.firstStep)
    : `${verdict.firstStep}–${verdict.lastStep}`;
}

/** One table per run: check, severity, layer, steps, evidence, remedy; then the skipped checks. */
export function formatTables(runs: Record<string, Diagnosis>): string {
  const lines: string[] = [];
  for (const [name, { verdicts, skipped }] of Object.entries(runs)) {
    const errors = verdicts.filter((v) => v.severity === 'error').length;
    lines.push(
      `run ${name}: ${verdicts.length} verdict(s), ${errors} error(s); ${skipped.length} check(s) skipped`,
    );
    if (verdicts.length > 0) {
      const rows = [
        ['check', 'severity', 'layer', 'steps', 'evidence', 'remedy'],
        ...verdicts.map((v) => [
          v.check,
          v.severity,
          v.layer ?? '—',
          formatSteps(v),
          formatEvidence(v.evidence),
          v.remedy,
        ]),
      ];
      const widths = rows[0].slice(0, 4).map((_, c) => Math.max(...rows.map((r) => r[c].length)));
      for (const [i, row] of rows.entries()) {
        const fixed = row.slice(0, 4).map((cell, c) => cell.padEnd(widths[c]));
        lines.push(`  ${[...fixed, row[4], row[5]].join(' | ')}`);
        if (i > 0) lines.push(`  ${' '.repeat(widths[0])}   ${verdicts[i - 1].message}`);
      }
    }
    for (const s of skipped) lines.push(`  skipped ${s.check}: ${s.reason}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
