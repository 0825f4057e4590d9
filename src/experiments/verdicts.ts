/**
 * Each experiment's `diagnose` verdicts in its part of the report: the rules run over the event
 * files the experiment just wrote, read back through the provider as any run is; and the
 * findings that are verdicts (a gradient vanishes, units die or saturate), worded from them.
 */
import { join } from 'node:path';
import { formatNumber as fmt } from '../charts/format.js';
import {
  diagnoseAll,
  diagnoseData,
  type DiagnoseOptions,
  type Diagnosis,
} from '../diagnose/diagnose.js';
import type { Rule } from '../diagnose/rule.js';
import { groupRuns, loadRunData, type RunData } from '../diagnose/run-data.js';
import { deadFractions } from '../diagnose/rules/dead-relu.js';
import { compared, firstLastGradients } from '../diagnose/rules/gradient-norms.js';
import { CHECK_NAMES, RULES } from '../diagnose/rules/index.js';
import type { LateFraction } from '../diagnose/rules/layer-fractions.js';
import { saturatedFractions } from '../diagnose/rules/saturated-activation.js';
import { DirectoryProvider, type RunProvider } from '../log/provider.js';
import type { ReportSection } from '../report/types.js';

/**
 * `section` with a table of the verdicts on the runs under `outDir/<experiment>`; remedies name
 * only flags of the commands in `commandFlags` that wrote the runs (DiagnoseOptions).
 */
export async function withVerdicts(
  section: ReportSection,
  outDir: string,
  experiment: string,
  commandFlags?: DiagnoseOptions['commandFlags'],
): Promise<ReportSection> {
  const provider = new DirectoryProvider(join(outDir, experiment));
  const runs = await provider.listRuns();
  if (runs.length === 0) return section;
  const diagnoses = await diagnoseAll(provider, { commandFlags });
  const rows = [...diagnoses].flatMap(([run, { verdicts }]) =>
    verdicts.map((v) => [
      run,
      v.check,
      v.severity,
      v.layer ?? '—',
      v.firstStep === null ? '—' : `${v.firstStep}–${v.lastStep ?? v.firstStep}`,
      v.message,
      v.remedy,
    ]),
  );
  const summary =
    rows.length === 0
      ? `gradscope diagnose found no verdict on the ${diagnoses.size} run(s) of this section.`
      : `gradscope diagnose gave ${rows.length} verdict(s) on the ${diagnoses.size} run(s) of this section (table below).`;
  return {
    ...section,
    findings: [...section.findings, summary],
    tables:
      rows.length === 0
        ? section.tables
        : [
            ...section.tables,
            {
              caption:
                'diagnose verdicts on this section’s runs (gradscope diagnose on its run directory)',
              columns: ['run', 'check', 'severity', 'layer', 'steps', 'finding', 'remedy'],
              rows,
            },
          ],
  };
}

/** A run's data as the rules read it, and their verdicts on it. */
export interface CheckedRun {
  data: RunData;
  diagnosis: Diagnosis;
}

/** Reads the provider's run `run` (a Keras-style folder's train/validation pair included) and diagnoses it. */
export async function checkRun(provider: RunProvider, run: string): Promise<CheckedRun> {
  const group = groupRuns(await provider.listRuns()).find((g) => g.name === run) ?? {
    name: run,
    train: run,
  };
  const data = await loadRunData(provider, group);
  return { data, diagnosis: diagnoseData(data) };
}

/** The rule named `check` (one of CHECK_NAMES). */
function ruleOf(check: string): Rule {
  const rule = RULES.find((r) => r.name === check);
  if (rule === undefined) {
    throw new Error(
      `verdicts: no check '${check}'. Expected one of: ${CHECK_NAMES.join(', ')}. Received: ${check}`,
    );
  }
  return rule;
}

/** A threshold as sentences cite it: "0.001 (AUTOTRAINER (ICSE 2021))". */
function cite(rule: Rule, name: string): string {
  const threshold = rule.thresholds[name];
  return `${fmt(threshold.value)} (${threshold.anchor})`;
}

/** The largest late share of `fractions`, worded; undefined when there is none. */
function largestShare(fractions: readonly LateFraction[], what: string): string | undefined {
  const largest = fractions.reduce<LateFraction | undefined>(
    (a, b) => (a === undefined || b.value > a.value ? b : a),
    undefined,
  );
  return largest === undefined
    ? undefined
    : `the largest late share of ${what} is ${fmt(100 * largest.value)}% (${largest.layer})`;
}

/**
 * What a check measured on a run where it gave no verdict, with the threshold it was held to:
 * the rule's own statistic (exported beside the rule), never one computed here.
 */
const MEASURED: Readonly<Record<string, (data: RunData, rule: Rule) => string | undefined>> = {
  vanishing_gradient(data, rule) {
    const m = firstLastGradients(data);
    if (typeof m === 'string') return undefined;
    const steps = m.pairs.steps.length;
    return `${compared(m, `${fmt(m.ratio)}×`)} (median over ${steps} step${steps === 1 ? '' : 's'}), not below ${cite(rule, 'ratio')}`;
  },
  dead_relu(data, rule) {
    const m = deadFractions(data);
    const share = typeof m === 'string' ? undefined : largestShare(m.fractions, 'dead units');
    return share && `${share}, below ${cite(rule, 'warning')}`;
  },
  saturated_activation(data, rule) {
    const m = saturatedFractions(data);
    const share = typeof m === 'string' ? undefined : largestShare(m, 'saturated units');
    return share && `${share}, not above ${cite(rule, 'fraction')}`;
  },
};

/**
 * One sentence per check on the run called `label`: each verdict diagnose gave (its message,
 * from the measured numbers), or that it gave none and what the rule measured, or why the
 * check could not run. A finding that is a verdict is worded here, from the rule engine.
 */
export function checkFindings(
  label: string,
  { data, diagnosis }: CheckedRun,
  checks: readonly string[],
  /** Checks worded only when they could run (e.g. dead_relu on a run that logs dead units). */
  optional: readonly string[] = [],
): string[] {
  const ran = optional.filter((check) => !diagnosis.skipped.some((s) => s.check === check));
  return [...checks, ...ran].flatMap((check) => {
    const rule = ruleOf(check);
    const verdicts = diagnosis.verdicts.filter((v) => v.check === check);
    if (verdicts.length > 0) {
      return verdicts.map(
        (v) =>
          `${label}: diagnose gives a ${check} ${v.severity}${v.layer ? ` on ${v.layer}` : ''}: ${v.message}.`,
      );
    }
    const skipped = diagnosis.skipped.find((s) => s.check === check);
    if (skipped !== undefined) return [`${label}: ${check} was not checked: ${skipped.reason}.`];
    const measured = MEASURED[check]?.(data, rule);
    return [
      `${label}: diagnose gives no ${check} verdict` +
        (measured === undefined ? ` (${rule.summary}: not found).` : `: ${measured}.`),
    ];
  });
}
