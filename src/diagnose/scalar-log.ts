/**
 * The live run's scalar records (live-run.ts) as they come: one log, 8 bytes a record (the
 * tag's index, the value as a float32 as event files store it; steps only where they change),
 * moved into per-tag columns (column-pool.ts) when the rules read the run. Training sweeps the
 * caches between two batches, so what a record costs is mostly the memory it touches: the log
 * touches a few cache lines per step, where writing each record into its own tag's arrays
 * touched three or four objects per record.
 *
 * Moving is by need. The rules read some 40 of the reference model's 87 tags (not the weight
 * norms, bias gradients, signal norms, activation means, …), and a record moved costs more
 * than one looked at and left. So a tag the rules did not read at one evaluation stays in the
 * log from the next one on ("waiting"), until something reads it: then every waiting tag's
 * records move, in order, and wait no more. What a reader gets is the same either way.
 */
import type { ScalarColumns } from '../log/points.js';
import { ColumnPool } from './column-pool.js';

/** The log's first capacity, in records. */
const FIRST_LOG_RECORDS = 4096;
/** Records (8 bytes each) the log grows to before every tag's records move: 8 MB. */
const LOG_LIMIT = 1 << 20;

export class ScalarLog {
  private readonly pool = new ColumnPool();
  /** By tag index: records of the tag about to move (counted by `move`). */
  private counts = new Int32Array(64);
  /** By tag index: 1 if the tag counts non-finite values (`nonfinite/…`). */
  private counters = new Uint8Array(64);
  /** By tag index: 1 while its records move at each evaluation, 0 while they wait. */
  private moving = new Uint8Array(64);
  /** By tag index: 1 if read since the last evaluation. */
  private read = new Uint8Array(64);
  /** By tag index: the log position up to which the tag's records are in its column. */
  private movedTo = new Int32Array(64);
  /** Tags at the last evaluation's start: only those can have gone unread through one. */
  private tagsAtEvaluation = 0;
  /** Two 32-bit words a record: the tag index, and the value as a float32 (same memory). */
  private words = new Uint32Array(2 * FIRST_LOG_RECORDS);
  private floats = new Float32Array(this.words.buffer);
  private logged = 0;
  /** The log's steps: where the step changes, (record, step) pairs. */
  private readonly stepChanges: number[] = [];
  private lastStep = NaN;
  /** Records of the log already looked at by `scan`. */
  private scanned = 0;
  private nonFiniteFound = false;

  /** A column for a new tag; returns its index. `counter` for a `nonfinite/…` tag. */
  addTag(counter: boolean): number {
    const index = this.pool.addColumn();
    if (index === this.counters.length) {
      this.counts = grown(this.counts);
      this.counters = grown(this.counters);
      this.moving = grown(this.moving);
      this.read = grown(this.read);
      this.movedTo = grown(this.movedTo);
    }
    this.counters[index] = counter ? 1 : 0;
    this.moving[index] = 1;
    this.movedTo[index] = this.logged;
    return index;
  }

  /** Keeps one record of the tag `index`. */
  record(index: number, value: number, step: number): void {
    if (2 * this.logged === this.words.length) this.growLog();
    this.markStep(step);
    const k = this.logged;
    this.words[2 * k] = index;
    this.floats[2 * k + 1] = value;
    this.logged = k + 1;
  }

  /** Keeps one record per tag `indexes[i]`; `counterPlaces`: the places of its counter tags. */
  group(
    indexes: Uint32Array,
    counterPlaces: Uint32Array,
    values: ArrayLike<number>,
    step: number,
  ): void {
    const n = indexes.length;
    while (2 * (this.logged + n) > this.words.length) this.growLog();
    this.markStep(step);
    const k = this.logged;
    const { words, floats } = this;
    if (this.scanned < k) {
      for (let i = 0; i < n; i++) {
        words[2 * (k + i)] = indexes[i];
        floats[2 * (k + i) + 1] = values[i];
      }
      this.logged = k + n;
      return;
    }
    // Nothing waits to be scanned: the group is scanned as it is copied, from its values and
    // its own list of counters, so that the step touches no per-tag table (after a training
    // step each such cache line is a miss).
    let found = false;
    for (let i = 0; i < n; i++) {
      const value = Math.fround(values[i]);
      words[2 * (k + i)] = indexes[i];
      floats[2 * (k + i) + 1] = value;
      // x − x is NaN exactly for NaN and ±Infinity.
      if (value - value !== 0) found = true;
    }
    for (const place of counterPlaces) if (floats[2 * (k + place) + 1] > 0) found = true;
    if (found) this.nonFiniteFound = true;
    this.logged = this.scanned = k + n;
  }

  /** Whether a non-finite value, or a positive count, arrived since the last call. */
  nonFiniteArrived(): boolean {
    this.scan();
    const found = this.nonFiniteFound;
    this.nonFiniteFound = false;
    return found;
  }

  /**
   * Called as the rules start reading the run: tags that were there at the last such call and
   * were not read since start waiting, and the others' records move into their columns.
   */
  startEvaluation(): void {
    const { moving, read } = this;
    for (let t = 0; t < this.tagsAtEvaluation; t++) {
      if (read[t] === 0) moving[t] = 0;
    }
    this.tagsAtEvaluation = this.pool.count;
    read.fill(0);
    this.move(moving);
    this.resetIfMoved();
  }

  /** Tag `index`'s column, all its records so far (views: later records leave it as it is). */
  columns(index: number): ScalarColumns {
    this.read[index] = 1;
    if (this.moving[index] === 0) this.moveWaiting();
    return this.pool.columns(index);
  }

  /** The number of records of tag `index` so far. */
  count(index: number): number {
    this.moveAll();
    return this.pool.lengths[index];
  }

  private markStep(step: number): void {
    if (step === this.lastStep) return;
    this.stepChanges.push(this.logged, step);
    this.lastStep = step;
  }

  /** Doubles the log, or moves every record once it holds LOG_LIMIT. */
  private growLog(): void {
    if (this.logged >= LOG_LIMIT) {
      this.moveAll();
      return;
    }
    const words = new Uint32Array(2 * this.words.length);
    words.set(this.words);
    this.words = words;
    this.floats = new Float32Array(words.buffer);
  }

  /** Looks at the records logged since the last scan for non-finite values and counts. */
  private scan(): void {
    const { words, floats, counters } = this;
    let found = false;
    for (let k = this.scanned; k < this.logged; k++) {
      const value = floats[2 * k + 1];
      if (value - value !== 0 || (value > 0 && counters[words[2 * k]] === 1)) found = true;
    }
    if (found) this.nonFiniteFound = true;
    this.scanned = this.logged;
  }

  /** Moves every record into its column, and empties the log. */
  private moveAll(): void {
    this.move(this.moving);
    this.moveWaiting();
  }

  /** Moves the waiting tags' records (they wait no more), and empties the log. */
  private moveWaiting(): void {
    if (this.anyWaiting()) {
      this.move(this.moving.map((m) => 1 - m));
      this.moving.fill(1);
    }
    this.resetIfMoved();
  }

  /** Moves the records of the tags t with `selected[t]` 1 that are not in their columns yet. */
  private move(selected: Uint8Array): void {
    this.scan();
    const { words, counts, movedTo, pool } = this;
    const tags = pool.count;
    let from = this.logged;
    for (let t = 0; t < tags; t++) if (selected[t] === 1) from = Math.min(from, movedTo[t]);
    for (let k = from; k < this.logged; k++) {
      const t = words[2 * k];
      if (selected[t] === 1 && k >= movedTo[t]) counts[t]++;
    }
    pool.reserve(counts);
    pool.appendAll(words, this.floats, from, this.logged, this.stepChanges, selected, movedTo);
    counts.fill(0);
    for (let t = 0; t < tags; t++) if (selected[t] === 1) movedTo[t] = this.logged;
  }

  private anyWaiting(): boolean {
    for (let t = 0; t < this.pool.count; t++) if (this.moving[t] === 0) return true;
    return false;
  }

  /** Empties the log once no tag waits (every record is in its column). */
  private resetIfMoved(): void {
    if (this.anyWaiting()) return;
    this.logged = 0;
    this.scanned = 0;
    this.stepChanges.length = 0;
    this.lastStep = NaN;
    this.movedTo.fill(0);
  }
}

/** `array` in one twice as long. */
function grown<T extends Uint8Array | Int32Array>(array: T): T {
  const larger = new (array.constructor as new (length: number) => T)(2 * array.length);
  larger.set(array);
  return larger;
}
