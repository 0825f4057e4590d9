/**
 * Which run the page shows when none is picked: the first, in list order, that has
 * gradient-flow tags, since the gradient flow is the page's centre and a run without them
 * (an activations sweep, say) would leave it empty. Runs still being read are waited for
 * rather than skipped, so the choice does not depend on how fast the server reads.
 */
import type { RunSummary } from './client.js';

export type DefaultRun =
  | { run: string; reason: string }
  /** A run before any known to have gradient flow is still being read. */
  | { waitingFor: string }
  | undefined;

export function defaultRun(runs: readonly RunSummary[]): DefaultRun {
  if (runs.length === 0) return undefined;
  if (runs.length === 1) return { run: runs[0].name, reason: 'the only run in the logdir' };
  const without: string[] = [];
  for (const run of runs) {
    if (run.loading) return { waitingFor: run.name };
    if (run.flow) {
      const skipped =
        without.length === 0
          ? ''
          : ` (${listed(without)} ${without.length === 1 ? 'has' : 'have'} none)`;
      return { run: run.name, reason: `the first run with gradient-flow tags${skipped}` };
    }
    without.push(run.name);
  }
  return { run: runs[0].name, reason: 'no run has gradient-flow tags: the first run' };
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}
