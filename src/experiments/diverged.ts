/**
 * What an experiment does with models whose training diverged (TerminateOnNonFinite stopped
 * them): mark each run on disk, show the message at the top of the section instead of findings
 * computed from NaN, and hand the messages to the CLI, which exits non-zero with them.
 */
import type { Divergence } from '../engine/terminate-on-nonfinite.js';
import { markDiverged } from '../log/diverged.js';
import type { ReportSection } from '../report/types.js';
import type { ExperimentContext } from './experiment.js';

export interface TrainedRun {
  /** The run's folder below the run directory, e.g. 'titanic/relu'. */
  relLogDir: string;
  /** Null when training stayed finite. */
  divergence: Divergence | null;
}

/** Marks every diverged run of `runs` on disk (log/diverged.ts); returns their messages. */
export function markDivergences(
  context: Pick<ExperimentContext, 'outDir' | 'files'>,
  runs: readonly TrainedRun[],
): string[] {
  const messages: string[] = [];
  for (const { relLogDir, divergence } of runs) {
    if (!divergence) continue;
    markDiverged(context.outDir, relLogDir, divergence, (path, data) =>
      context.files.writeFile(path, data),
    );
    messages.push(divergence.message);
  }
  return messages;
}

/**
 * Puts the divergence `messages` at the top of `section` and drops its findings, which compare
 * values that include NaN. The figures stay: they draw what was logged up to that step.
 */
export function showDivergence(section: ReportSection, messages: readonly string[]): ReportSection {
  if (messages.length === 0) return section;
  return {
    ...section,
    notices: [
      ...messages,
      'Findings are left out: they compare the models, and a diverged model has no values to ' +
        'compare after that step. The figures draw what was logged up to there.',
    ],
    findings: [],
  };
}

/** A section holding only the divergence `messages`, for a section that cannot be drawn. */
export function divergedSection(
  id: string,
  title: string,
  messages: readonly string[],
): ReportSection {
  return {
    id,
    title: `${title}: training diverged`,
    intro:
      'Training stopped at the first NaN or Infinity, so there is no epoch to chart. The event ' +
      'files keep every record up to that step.',
    notices: [...messages],
    findings: [],
    figures: [],
    tables: [],
  };
}
