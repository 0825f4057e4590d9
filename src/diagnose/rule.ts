/**
 * What a check is and what it returns. A rule is a pure function of a run's data (RunData,
 * read through RunProvider by run-data.ts) and its thresholds: the same rule runs live during
 * `fit`, on a finished run, and on another framework's logs.
 *
 * Every threshold is documented beside the rule with the anchor it comes from (AUTOTRAINER,
 * ICSE 2021; DeepDiagnosis, ICSE 2022; SageMaker Debugger's built-in rules; UMLAUT, CHI 2021;
 * or "gradscope zoo" where the published tools give no number and the value was set on the
 * labelled runs of src/diagnose/zoo), and can be overridden per call.
 */
import type { RunData } from './run-data.js';

export type Severity = 'error' | 'warning' | 'info';

/** One finding, as `gradscope diagnose --json` prints it. */
export interface Verdict {
  check: string;
  severity: Severity;
  /** The layer or parameter concerned, as the run names it; null for the whole run. */
  layer: string | null;
  firstStep: number | null;
  lastStep: number | null;
  /** The numbers (and tag names) that triggered the verdict. */
  evidence: Record<string, number | string>;
  message: string;
  remedy: string;
}

/** A check that could not run, and which data it lacked. */
export interface Skipped {
  check: string;
  reason: string;
}

export interface Threshold {
  value: number;
  /** Where the value comes from: a tool and what it measures, or "gradscope zoo". */
  anchor: string;
  /** What the number bounds, in a few words. */
  meaning: string;
}

/** A rule's verdicts, or why it could not run (the missing tags). */
export type RuleOutcome = { verdicts: Verdict[] } | { skipped: string };

export interface Rule {
  /** The check's name in verdicts, e.g. 'exploding_gradient'. */
  readonly name: string;
  /** What it finds, one line. */
  readonly summary: string;
  readonly thresholds: Readonly<Record<string, Threshold>>;
  /** Pure: reads `run` only; `limits` holds a number for every key of `thresholds`. */
  check(run: RunData, limits: Readonly<Record<string, number>>): RuleOutcome;
}

/** Per check, threshold values replacing the documented defaults. */
export type ThresholdOverrides = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The rule's thresholds with `overrides` applied; unknown names are an error. */
export function resolveThresholds(
  rule: Rule,
  overrides: ThresholdOverrides = {},
): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [name, threshold] of Object.entries(rule.thresholds)) limits[name] = threshold.value;
  for (const [name, value] of Object.entries(overrides[rule.name] ?? {})) {
    if (!(name in rule.thresholds)) {
      const known = Object.keys(rule.thresholds).join(', ') || '(none)';
      throw new Error(
        `${rule.name}: no threshold '${name}'. Expected one of: ${known}. Received: ${name}=${value}`,
      );
    }
    if (!Number.isFinite(value)) {
      throw new Error(
        `${rule.name}: threshold ${name} must be a finite number. Received: ${value}`,
      );
    }
    limits[name] = value;
  }
  return limits;
}

/** The remedy for the run's origin: gradscope flags for our runs, the general change otherwise. */
export interface Remedy {
  gradscope: string;
  general: string;
}

/**
 * A verdict of `rule` on `run`, with the remedy chosen by the run's origin: the general change
 * for a foreign run, and for one of gradscope's whose command does not take a flag the remedy
 * names (`gradscope depth` has no --learning-rate). A remedy that names its commands
 * ("gradscope sequence --models gru") is given as it is.
 */
export function verdictOf(
  rule: Rule,
  run: RunData,
  fields: Omit<Verdict, 'check' | 'remedy'> & { remedy: Remedy },
): Verdict {
  const { remedy, ...rest } = fields;
  return {
    check: rule.name,
    ...rest,
    remedy: appliesTo(run, remedy.gradscope) ? remedy.gradscope : remedy.general,
  };
}

function appliesTo(run: RunData, remedy: string): boolean {
  if (run.origin !== 'gradscope') return false;
  const accepted = run.acceptedFlags;
  if (accepted === undefined || remedy.includes('gradscope ')) return true;
  return (remedy.match(/--[a-z][a-z-]*/g) ?? []).every((flag) => accepted.has(flag));
}
