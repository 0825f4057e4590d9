/**
 * Runs the zoo and scores the checks: recall per check over the runs labelled with it, and
 * false alarms (errors and warnings on healthy runs).
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
  const runs: ZooRunResult[] = [];
  for (const spec of specs) {
    const extra = extraSink?.(spec);
    const memory = provider.run(spec.name);
    trainZooRun(spec, extra ? new TeeSink([memory, extra]) : memory);
    extra?.close?.();
    const diagnosis = await diagnoseRun(provider, spec.name);
    const fired = [...new Set(diagnosis.verdicts.map((v) => v.check))];
    const alarms = diagnosis.verdicts.filter((v) => v.severity !== 'info').map((v) => v.check);
    runs.push({
      name: spec.name,
      faults: spec.faults,
      fired,
      missed: spec.faults.filter((f) => !fired.includes(f)),
      falseAlarms: spec.faults.length === 0 ? [...new Set(alarms)] : [],
      diagnosis,
    });
  }
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
