/**
 * Runs the zoo and scores the checks: recall per check over the runs labelled with it, and
 * false alarms (errors and warnings on healthy runs). The scoring also serves foreign runs
 * (bench/diagnose-foreign.ts).
 */
import { MemoryProvider } from '../../log/memory-provider.js';
import type { RecordSink } from '../../probe/sink.js';
import { TeeSink } from '../../probe/sink.js';
import { diagnoseRun, type Diagnosis } from '../diagnose.js';
import type { ZooSpec } from './specs.js';
import { trainZooRun } from './train.js';

export interface ZooRunResult {
  name: string;
  faults: string[];
  /** Checks with at least one verdict (any severity). */
  fired: string[];
  missed: string[];
  /** On a healthy run: its error and warning verdicts' checks. */
  falseAlarms: string[];
  diagnosis: Diagnosis;
}

export interface ZooScore {
  runs: ZooRunResult[];
  /** Per labelled check: runs where it fired / runs labelled with it. */
  recall: Record<string, { found: number; labelled: number }>;
  falseAlarms: number;
  healthyRuns: number;
}

/** Trains every spec (also into `extraSink(spec)` when given, e.g. a RunWriter) and scores it. */
export async function evaluateZoo(
  specs: readonly ZooSpec[],
  extraSink?: (spec: ZooSpec) => RecordSink & { close?: () => void },
): Promise<ZooScore> {
  const provider = new MemoryProvider();
  const labelled: LabelledDiagnosis[] = [];
  for (const spec of specs) {
    const extra = extraSink?.(spec);
    const memory = provider.run(spec.name);
    trainZooRun(spec, extra ? new TeeSink([memory, extra]) : memory);
    extra?.close?.();
    labelled.push({
      name: spec.name,
      faults: spec.faults,
      diagnosis: await diagnoseRun(provider, spec.name),
    });
  }
  return scoreDiagnoses(labelled);
}

/** A run's labels (the checks it is built to trip; none for a healthy run) and its diagnosis. */
export interface LabelledDiagnosis {
  name: string;
  faults: readonly string[];
  diagnosis: Diagnosis;
}

/** Recall per labelled check and false alarms, over diagnosed runs whoever wrote them. */
export function scoreDiagnoses(labelled: readonly LabelledDiagnosis[]): ZooScore {
  const runs: ZooRunResult[] = labelled.map(({ name, faults, diagnosis }) => {
    const fired = [...new Set(diagnosis.verdicts.map((v) => v.check))];
    const alarms = diagnosis.verdicts.filter((v) => v.severity !== 'info').map((v) => v.check);
    return {
      name,
      faults: [...faults],
      fired,
      missed: faults.filter((f) => !fired.includes(f)),
      falseAlarms: faults.length === 0 ? [...new Set(alarms)] : [],
      diagnosis,
    };
  });
  const recall: ZooScore['recall'] = {};
  for (const run of runs) {
    for (const fault of run.faults) {
      const entry = (recall[fault] ??= { found: 0, labelled: 0 });
      entry.labelled++;
      if (!run.missed.includes(fault)) entry.found++;
    }
  }
  const healthy = runs.filter((r) => r.faults.length === 0);
  return {
    runs,
    recall,
    falseAlarms: healthy.reduce((n, r) => n + r.falseAlarms.length, 0),
    healthyRuns: healthy.length,
  };
}
