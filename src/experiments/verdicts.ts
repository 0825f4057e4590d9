/**
 * Each experiment's `diagnose` verdicts in its part of the report: the rules run over the event
 * files the experiment just wrote, read back through the provider as any run is.
 */
import { join } from 'node:path';
import { diagnoseAll } from '../diagnose/diagnose.js';
import { DirectoryProvider } from '../log/provider.js';
import type { ReportSection } from '../report/types.js';

/** `section` with a table of the verdicts on the runs under `outDir/<experiment>`. */
export async function withVerdicts(
  section: ReportSection,
  outDir: string,
  experiment: string,
): Promise<ReportSection> {
  const provider = new DirectoryProvider(join(outDir, experiment));
  const runs = await provider.listRuns();
  if (runs.length === 0) return section;
  const diagnoses = await diagnoseAll(provider);
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
