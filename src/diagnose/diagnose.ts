/**
 * Runs every rule over runs read through a RunProvider: `diagnoseRun` for one run (what a
 * report section calls), `diagnoseAll` for every run of a provider (what the CLI calls).
 */
import type { RunProvider } from '../log/provider.js';
import {
  resolveThresholds,
  type Rule,
  type Skipped,
  type ThresholdOverrides,
  type Verdict,
} from './rule.js';
import { groupRuns, loadRunData, type RunData, type RunGroup } from './run-data.js';
import { RULES } from './rules/index.js';

export interface DiagnoseOptions {
  /** Threshold values replacing the documented defaults, per check. Defaults to none. */
  thresholds?: ThresholdOverrides;
  /** The checks to run. Defaults to RULES (all of them). */
  rules?: readonly Rule[];
  /**
   * The flags (`--learning-rate`) each gradscope command takes, by command name: remedies on a
   * run whose files name its command then name only that command's flags (rule.ts verdictOf).
   * Defaults to none: remedies may name any gradscope flag.
   */
  commandFlags?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Diagnosis {
  verdicts: Verdict[];
  skipped: Skipped[];
}

/** Every rule over already loaded data: pure, what the live Diagnoser calls. */
export function diagnoseData(data: RunData, options: DiagnoseOptions = {}): Diagnosis {
  const diagnosis: Diagnosis = { verdicts: [], skipped: [] };
  const acceptedFlags = data.command && options.commandFlags?.get(data.command);
  const run = acceptedFlags ? { ...data, acceptedFlags } : data;
  for (const rule of options.rules ?? RULES) {
    const outcome = rule.check(run, limitsOf(rule, options.thresholds));
    if ('skipped' in outcome) diagnosis.skipped.push({ check: rule.name, reason: outcome.skipped });
    else diagnosis.verdicts.push(...outcome.verdicts.map(withPrintableEvidence));
  }
  return diagnosis;
}

/** Each rule's limits, by the overrides object they were resolved with (none: NO_OVERRIDES). */
const resolved = new WeakMap<ThresholdOverrides, Map<Rule, Readonly<Record<string, number>>>>();
const NO_OVERRIDES: ThresholdOverrides = {};

/**
 * `resolveThresholds(rule, overrides)`, kept for the same overrides object: the live Diagnoser
 * runs every rule a few times an epoch with the same ones. Rules never change their limits.
 */
function limitsOf(rule: Rule, overrides = NO_OVERRIDES): Readonly<Record<string, number>> {
  let byRule = resolved.get(overrides);
  if (byRule === undefined) resolved.set(overrides, (byRule = new Map()));
  let limits = byRule.get(rule);
  if (limits === undefined) byRule.set(rule, (limits = resolveThresholds(rule, overrides)));
  return limits;
}

/**
 * Diagnoses the provider's run `run`. A Keras-style `<folder>/train` run is read together with
 * its `<folder>/validation` sibling when the provider has one.
 */
export async function diagnoseRun(
  provider: RunProvider,
  run: string,
  options: DiagnoseOptions = {},
): Promise<Diagnosis> {
  const runs = await provider.listRuns();
  const group = groupRuns(runs).find((g) => g.train === run || g.name === run) ?? {
    name: run,
    train: run,
  };
  return diagnoseData(await loadRunData(provider, group), options);
}

/** Diagnoses every run of the provider, Keras train/validation pairs as one, by name. */
export async function diagnoseAll(
  provider: RunProvider,
  options: DiagnoseOptions = {},
): Promise<Map<string, Diagnosis>> {
  const results = new Map<string, Diagnosis>();
  for (const group of groupRuns(await provider.listRuns()))
    results.set(group.name, await diagnoseGroup(provider, group, options));
  return results;
}

async function diagnoseGroup(
  provider: RunProvider,
  group: RunGroup,
  options: DiagnoseOptions,
): Promise<Diagnosis> {
  return diagnoseData(await loadRunData(provider, group), options);
}

/** JSON has no NaN or Infinity: such evidence is given as the string "NaN", "Infinity". */
function withPrintableEvidence(verdict: Verdict): Verdict {
  const evidence: Verdict['evidence'] = {};
  for (const [key, value] of Object.entries(verdict.evidence)) {
    evidence[key] = typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  }
  return { ...verdict, evidence };
}
