/**
 * Verdicts for the dashboard, computed in the background: one run at a time, yielding to other
 * requests between runs, and kept until the run changes. The run list and the charts never wait
 * for a logdir of a hundred runs to be diagnosed; badges appear as their runs are done.
 */
import type { RunProvider } from '../log/provider.js';
import { VersionedCache } from './cache.js';

/** What the dashboard reads of a diagnosis (src/diagnose's `Diagnosis` has this shape). */
export interface RunVerdicts {
  verdicts: readonly { check: string; severity: string }[];
}

/** Verdicts of one run (injected: the dashboard itself knows no rules). */
export type RunDiagnoser = (provider: RunProvider, run: string) => Promise<RunVerdicts>;

/** A run's verdict checks by severity, for its badges. */
export type Badges = Record<string, string[]>;

export class VerdictCache {
  private readonly cache = new VersionedCache<RunVerdicts & { version: string }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly provider: RunProvider,
    private readonly diagnose: RunDiagnoser,
  ) {}

  /** The run's verdicts at its current version: cached, or computed after those queued before. */
  async get(run: string): Promise<RunVerdicts & { version: string }> {
    const version = await this.provider.version(run);
    return this.cache.get(run, version, () => this.queued(run, version));
  }

  /**
   * Badges of the runs whose verdicts are computed for their current version; the others are
   * queued, and counted as pending.
   */
  async badges(
    runs: readonly string[],
  ): Promise<{ badges: Record<string, Badges>; pending: number }> {
    const badges: Record<string, Badges> = {};
    let pending = 0;
    for (const run of runs) {
      const done = this.cache.peek(run, await this.provider.version(run));
      if (done === undefined) {
        pending++;
        // Failures show when the verdicts view asks for the run; the next poll retries.
        this.get(run).catch(() => undefined);
        continue;
      }
      const byseverity: Badges = {};
      for (const { check, severity } of done.value.verdicts)
        (byseverity[severity] ??= []).push(check);
      badges[run] = byseverity;
    }
    return { badges, pending };
  }

  private queued(run: string, version: string): Promise<RunVerdicts & { version: string }> {
    const next = this.queue.then(async () => {
      // Requests that arrived meanwhile (the page's charts) go first.
      await new Promise((resolve) => setImmediate(resolve));
      return { ...(await this.diagnose(this.provider, run)), version };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
