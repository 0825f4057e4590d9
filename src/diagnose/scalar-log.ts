/**
 * The live run's scalar records (live-run.ts) as they come: one log of 32-bit words, moved into
 * per-tag columns (column-pool.ts) when the rules read the run. A single record takes two words,
 * its tag's index and its value; a group write (live-run.ts `scalarGroup`, what the probes write
 * through) one word naming the group, then one word per value. Values are float32s, as event
 * files store them; steps are kept only where they change. Training sweeps the caches between
 * two batches, so what a record costs is mostly the memory it touches: a step's group writes
 * fill a few consecutive cache lines, where writing each record into its own tag's arrays
 * touched three or four objects per record, and a word per record more doubled the lines.
 *
 * Moving is by need. The rules read some 40 of the reference model's 87 tags (not the weight
 * norms, bias gradients, signal norms, activation means, …), and a record moved costs more
 * than one looked at and left. So a tag the rules did not read at one evaluation stays in the
 * log from the next one on ("waiting"), until something reads it: then every waiting tag's
 * records move, in order, and wait no more. What a reader gets is the same either way.
 */
import type { ScalarColumns } from '../log/points.js';
import { ColumnPool } from './column-pool.js';
import { moveRecords } from './log-move.js';

/**
 * The records logged since the last `takeDelta`, as another thread's log appends them
 * (`appendDelta`): the words, their step changes, and the groups added since. Tags are added
 * by the receiver (`addTag`) in the order they were here, before the delta that uses them.
 */
export interface LogDelta {
  /** The log's words (transferable: a copy). */
  words: Uint32Array;
  /** (position in `words`, step) pairs (transferable, as `words`). */
  stepChanges: Float64Array;
  /** Per group added since: its tags' indexes and its counter places (`addGroup`'s). */
  newGroups: { indexes: Uint32Array; counterPlaces: Uint32Array }[];
}

/** The log's first capacity, in words. */
const FIRST_LOG_WORDS = 8192;
/** Words (4 bytes each) the log grows to before every tag's records move: 8 MB. */
export const LOG_LIMIT = 1 << 21;
/** The bit that marks a group write's first word; a single record's is its tag's index. */
const GROUP = 0x8000_0000;

/**
 * A group as its writes use it (ScalarLog.addGroup): what a write reads, in one small object,
 * so that a write after a training step misses the cache on few lines.
 */
export interface LogGroup {
  /** The word that starts each of its writes: GROUP and its id. */
  readonly head: number;
  /** Its tags' count. */
  readonly size: number;
  /** The places among its tags of the counter tags, or null for none (most groups). */
  readonly counters: Uint32Array | null;
  /** Its writes so far (`count`): kept here, on the line a write reads anyway. */
  writes: number;
}

export class ScalarLog {
  // What a group write touches first, so that those fields share cache lines: after a training
  // step each line a write reads is a miss (measured: a write of 20 values took 0.14 µs with warm
  // caches, 0.6 µs in place).
  /** The log: tag indexes and group words, and values as float32s (the same memory). */
  private words = new Uint32Array(FIRST_LOG_WORDS);
  private floats = new Float32Array(this.words.buffer);
  /** Words in the log. */
  private logged = 0;
  /** Words of the log already looked at by `scan`. */
  private scanned = 0;
  private lastStep = NaN;
  private nonFiniteFound = false;
  /** Whether any non-finite value (or positive count) arrived so far: `nonFiniteSoFar`. */
  private nonFiniteEver = false;
  /** The log's steps: where the step changes, (word position, step) pairs. */
  private readonly stepChanges: number[] = [];
  private readonly pool = new ColumnPool();
  /** By tag index: 1 if the tag counts non-finite values (`nonfinite/…`). */
  private counters = new Uint8Array(64);
  /** By tag index: 1 while its records move at each evaluation, 0 while they wait. */
  private moving = new Uint8Array(64);
  /** By tag index: 1 if read since the last evaluation. */
  private read = new Uint8Array(64);
  /** By tag index: the log position (in words) up to which the tag's records are in its column. */
  private movedTo = new Int32Array(64);
  /** Tags at the last evaluation's start: only those can have gone unread through one. */
  private tagsAtEvaluation = 0;
  /** By group id: its tags' indexes, and what its writes read (LogGroup). */
  private readonly groupTags: Uint32Array[] = [];
  private readonly groups: LogGroup[] = [];
  /** By tag index: its single records so far (`count`; a group counts its own writes). */
  private singles = new Int32Array(64);
  /** Groups that a `takeDelta` gave: the next gives those added after. */
  private groupsTaken = 0;
  /** Whether `takeDelta` gives the records away: then none moves into a column here. */
  private givesDeltas = false;

  /**
   * `onNonFinite` is called as a non-finite value or a positive count arrives (a record is
   * scanned as it comes, or at the next `nonFiniteArrived` where others wait to be scanned).
   */
  constructor(private readonly onNonFinite?: () => void) {}

  /** Words in the log: what the next `takeDelta` gives (4 bytes each). */
  get loggedWords(): number {
    return this.logged;
  }

  /** A column for a new tag; returns its index. `counter` for a `nonfinite/…` tag. */
  addTag(counter: boolean): number {
    const index = this.pool.addColumn();
    if (index === this.counters.length) {
      this.counters = grown(this.counters);
      this.moving = grown(this.moving);
      this.read = grown(this.read);
      this.movedTo = grown(this.movedTo);
      this.singles = grown(this.singles);
    }
    this.counters[index] = counter ? 1 : 0;
    this.moving[index] = 1;
    this.movedTo[index] = this.logged;
    return index;
  }

  /**
   * A group of the tags `indexes` (each added by `addTag`), whose writes keep one record per
   * tag; `counterPlaces`: the places among them of the counter tags.
   */
  addGroup(indexes: Uint32Array, counterPlaces: Uint32Array): LogGroup {
    const counters = counterPlaces.length > 0 ? counterPlaces : null;
    const group = { head: GROUP | this.groups.length, size: indexes.length, counters, writes: 0 };
    this.groupTags.push(indexes);
    this.groups.push(group);
    return group;
  }

  /** Keeps one record of the tag `index`. */
  record(index: number, value: number, step: number): void {
    this.makeRoom(2);
    this.markStep(step);
    const k = this.logged;
    this.words[k] = index;
    this.floats[k + 1] = value;
    this.logged = k + 2;
    this.singles[index]++;
    // Scanned as it comes, as a group write is, while nothing waits to be scanned.
    if (this.scanned !== k) return;
    this.scanned = k + 2;
    if (arrives(this.floats[k + 1], this.counters[index])) this.found();
  }

  /** Keeps one record per tag of `group`, `values[i]` for its i-th tag. */
  group(group: LogGroup, values: ArrayLike<number>, step: number): void {
    const n = group.size;
    if (this.logged + 1 + n > this.words.length) this.makeRoom(1 + n);
    if (step !== this.lastStep) this.markStep(step);
    const k = this.logged;
    const { words, floats } = this;
    words[k] = group.head;
    group.writes++;
    if (this.scanned < k) {
      for (let i = 0; i < n; i++) floats[k + 1 + i] = values[i];
      this.logged = k + 1 + n;
      return;
    }
    // Nothing waits to be scanned: the group is scanned as it is copied, from its values and
    // its own list of counters, so that the step touches no per-tag table (after a training
    // step each such cache line is a miss).
    let found = false;
    for (let i = 0; i < n; i++) {
      const value = Math.fround(values[i]);
      floats[k + 1 + i] = value;
      // x − x is NaN exactly for NaN and ±Infinity.
      if (value - value !== 0) found = true;
    }
    const places = group.counters;
    if (places !== null) {
      for (let c = 0; c < places.length; c++) if (floats[k + 1 + places[c]] > 0) found = true;
    }
    if (found) this.found();
    this.logged = this.scanned = k + 1 + n;
  }

  /** A non-finite value, or a positive count, arrived: kept, and told to `onNonFinite`. */
  private found(): void {
    this.nonFiniteFound = this.nonFiniteEver = true;
    this.onNonFinite?.();
  }

  /** Whether a non-finite value, or a positive count, arrived since the last call. */
  nonFiniteArrived(): boolean {
    this.scan();
    const found = this.nonFiniteFound;
    this.nonFiniteFound = false;
    return found;
  }

  /** Whether a non-finite value, or a positive count, arrived at any time so far. */
  nonFiniteSoFar(): boolean {
    this.scan();
    return this.nonFiniteEver;
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
    let count = this.singles[index];
    this.groupTags.forEach((tags, id) => {
      if (tags.includes(index)) count += this.groups[id].writes;
    });
    return count;
  }

  /**
   * The records logged since the last call, and the groups added since, for a log on
   * another thread to append (`appendDelta`); this log then starts empty. Only for a log whose
   * columns nobody reads: it keeps none of the records it gives.
   */
  takeDelta(): LogDelta {
    this.scan();
    const delta: LogDelta = {
      words: this.words.slice(0, this.logged),
      stepChanges: Float64Array.from(this.stepChanges),
      newGroups: this.groupTags.slice(this.groupsTaken).map((indexes, k) => ({
        indexes,
        counterPlaces: this.groups[this.groupsTaken + k].counters ?? new Uint32Array(0),
      })),
    };
    this.groupsTaken = this.groups.length;
    this.givesDeltas = true;
    this.logged = 0;
    this.scanned = 0;
    this.stepChanges.length = 0;
    this.lastStep = NaN;
    return delta;
  }

  /** Appends what another thread's log gave (`takeDelta`), as if logged here. */
  appendDelta(delta: LogDelta): void {
    for (const { indexes, counterPlaces } of delta.newGroups) this.addGroup(indexes, counterPlaces);
    const { words, stepChanges } = delta;
    this.makeRoom(words.length);
    const at = this.logged;
    this.words.set(words, at);
    for (let c = 0; c < stepChanges.length; c += 2) {
      this.stepChanges.push(at + stepChanges[c], stepChanges[c + 1]);
    }
    this.lastStep = stepChanges.length > 0 ? stepChanges[stepChanges.length - 1] : this.lastStep;
    this.logged = at + words.length;
    this.countAppended(words);
  }

  /** Counts the records of `words` (a delta's) as `record` and `group` count their own. */
  private countAppended(words: Uint32Array): void {
    for (let k = 0; k < words.length; k += this.entryWords(words[k])) {
      const head = words[k];
      if (head < GROUP) this.singles[head]++;
      else this.groups[head ^ GROUP].writes++;
    }
  }

  private markStep(step: number): void {
    if (step === this.lastStep) return;
    this.stepChanges.push(this.logged, step);
    this.lastStep = step;
  }

  /** Room for `words` more words: the log doubles, or every record moves once it holds LOG_LIMIT. */
  private makeRoom(words: number): void {
    while (this.logged + words > this.words.length) {
      if (this.logged >= LOG_LIMIT && !this.givesDeltas) {
        this.moveAll();
        continue;
      }
      const larger = new Uint32Array(2 * this.words.length);
      larger.set(this.words);
      this.words = larger;
      this.floats = new Float32Array(larger.buffer);
    }
  }

  /** The words of the log entry (a record or a group write) that starts with `head`. */
  private entryWords(head: number): number {
    return head < GROUP ? 2 : 1 + this.groups[head ^ GROUP].size;
  }

  /** Looks at the records logged since the last scan for non-finite values and counts. */
  private scan(): void {
    const { words, floats, counters } = this;
    let found = false;
    for (let k = this.scanned; k < this.logged; k += this.entryWords(words[k])) {
      const head = words[k];
      if (head < GROUP) {
        const value = floats[k + 1];
        if (arrives(value, counters[head])) found = true;
        continue;
      }
      const id = head ^ GROUP;
      const { size, counters: places } = this.groups[id];
      const end = k + 1 + size;
      for (let i = k + 1; i < end; i++) if (floats[i] - floats[i] !== 0) found = true;
      if (places === null) continue;
      for (const place of places) if (floats[k + 1 + place] > 0) found = true;
    }
    if (found) this.found();
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

  /**
   * Moves the records of the tags t with `selected[t]` 1 that are not in their columns yet
   * (log-move.ts: in WebAssembly).
   */
  private move(selected: Uint8Array): void {
    this.scan();
    const { movedTo, pool } = this;
    const tags = pool.count;
    let from = this.logged;
    for (let t = 0; t < tags; t++) if (selected[t] === 1) from = Math.min(from, movedTo[t]);
    const { words, logged, stepChanges, groupTags } = this;
    moveRecords({ words, logged, stepChanges, groupTags }, from, selected, movedTo, pool);
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

/**
 * Whether a single record's kept value is a non-finite value, or a positive count of a counter
 * tag (`counter` 1): what `onNonFinite` is told of. x − x is NaN exactly for NaN and ±Infinity.
 */
function arrives(value: number, counter: number): boolean {
  return value - value !== 0 || (value > 0 && counter === 1);
}

/** `array` in one twice as long. */
function grown<T extends Uint8Array | Int32Array>(array: T): T {
  const larger = new (array.constructor as new (length: number) => T)(2 * array.length);
  larger.set(array);
  return larger;
}
