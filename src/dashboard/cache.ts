/**
 * Values derived from a run (downsampled series, verdicts), kept while the run's version
 * (`RunProvider.version`) stays the same: a page that polls an unchanged run costs a lookup, and
 * a run that grows is recomputed once per change, not once per request.
 */

interface Entry<T> {
  version: string;
  value: Promise<T>;
  /** Set once `value` resolves. */
  done?: { value: T };
}

/** Entries at most, the oldest dropped first: bounds memory for logdirs of thousands of runs. */
export const CACHE_ENTRIES = 4000;

export class VersionedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly limit = CACHE_ENTRIES) {}

  /**
   * The value for `key` at `version`: cached, or computed by `compute` (once, however many ask
   * at the same time). A failed computation is not kept.
   */
  get(key: string, version: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit?.version === version) return hit.value;
    const entry: Entry<T> = { version, value: compute() };
    entry.value.then(
      (value) => (entry.done = { value }),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    this.entries.delete(key); // re-inserted last: the Map's order is the age order
    this.entries.set(key, entry);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }

  /** The value for `key` at `version` if it is computed already. */
  peek(key: string, version: string): { value: T } | undefined {
    const hit = this.entries.get(key);
    return hit?.version === version ? hit.done : undefined;
  }
}
