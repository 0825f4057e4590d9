/**
 * The scalars one callback records at one step, gathered and handed to the sink as one group
 * write (sink.ts `ScalarGroup`). A step's tags are nearly always those of the step before, so
 * the sink's group for a list of tags is kept and used again; a few lists are kept, for groups
 * that are due at different intervals.
 */
import { scalarGroup, type RecordSink, type ScalarGroup } from './sink.js';

/** Tag lists whose groups are kept: one per mix of intervals a callback meets in practice. */
const KEPT_GROUPS = 4;

interface KeptGroup {
  readonly tags: readonly string[];
  readonly group: ScalarGroup;
}

export class ScalarBatch {
  private tags: string[] = [];
  private values = new Float64Array(16);
  private count = 0;
  /** Most recently used first. */
  private readonly kept: KeptGroup[] = [];
  /**
   * The most recently used kept group while the tags added so far are the first of its tags,
   * else null: compared as each tag comes, so that a batch like the last needs no second pass.
   */
  private matching: KeptGroup | null = null;

  constructor(private readonly sink: RecordSink) {}

  /** Adds one scalar to the batch. */
  add(tag: string, value: number): void {
    if (this.count === this.values.length) {
      const larger = new Float64Array(2 * this.count);
      larger.set(this.values);
      this.values = larger;
    }
    const matching = this.matching;
    if (matching !== null && matching.tags[this.count] !== tag) this.matching = null;
    this.tags[this.count] = tag;
    this.values[this.count++] = value;
  }

  /** Records the batch's scalars at `step` and `wallTime`, in the order added, and empties it. */
  write(step: number, wallTime: number): void {
    if (this.count === 0) return;
    const matching = this.matching;
    const group =
      matching !== null && matching.tags.length === this.count ? matching.group : this.group();
    group.write(this.values, step, wallTime);
    this.count = 0;
    this.matching = this.kept[0] ?? null;
  }

  /** The group of the tags added, kept or made. */
  private group(): ScalarGroup {
    const { kept, tags, count } = this;
    for (let i = 0; i < kept.length; i++) {
      const candidate = kept[i];
      if (!sameTags(candidate.tags, tags, count)) continue;
      if (i > 0) {
        kept.splice(i, 1);
        kept.unshift(candidate);
      }
      return candidate.group;
    }
    const own = tags.slice(0, count);
    const made = { tags: own, group: scalarGroup(this.sink, own) };
    kept.unshift(made);
    if (kept.length > KEPT_GROUPS) kept.pop();
    return made.group;
  }
}

/** Whether `kept` is the first `count` of `tags`: tags are compared as the same strings. */
function sameTags(kept: readonly string[], tags: readonly string[], count: number): boolean {
  if (kept.length !== count) return false;
  for (let k = 0; k < count; k++) if (kept[k] !== tags[k]) return false;
  return true;
}
