/**
 * A live run's scalar records moved from its log (scalar-log.ts) into their columns
 * (column-pool.ts), in WebAssembly (assembly/series.ts `moveRecords`). The move runs a few times
 * an epoch, over tens of thousands of records: in JavaScript its loops ran interpreted through
 * the first evaluations, then were compiled on a background thread twice each (on the stack,
 * then whole: 10–35 ms per loop on the compiler's thread, node --trace-opt), which the
 * Diagnoser paid in every one-epoch run. There, each tag's records go to a staging area of the
 * module's memory, tag after tag, from where each tag's block is copied into its column in one
 * call; a group write moves only the values at its selected places.
 *
 * The log goes in windows of at most WINDOW_WORDS words, so that the module's memory stays
 * small (a window and its records: about 1.3 MB) however long the log (up to 8 MB) has grown.
 */
import { seriesKernels } from '../log/series-kernels.js';
import type { ColumnPool } from './column-pool.js';

/** Log words per window; a group write longer than this gets a window of its own size. */
const WINDOW_WORDS = 1 << 16;
/**
 * The fields of a move (assembly/series.ts `moveRecords`), i32s in this order: the window's
 * address and log positions, the step changes' address and count, the tag count, the tables'
 * addresses, the outputs', the group count and the addresses of the groups' selected places.
 */
const MOVE_FIELDS = [
  'log',
  'from',
  'end',
  'changes',
  'changeCount',
  'tags',
  'selected',
  'movedTo',
  'groupTags',
  'starts',
  'sizes',
  'counts',
  'cursors',
  'steps',
  'values',
  'groups',
  'places',
  'placeCounts',
] as const;
/** Where the tables start: after the module's results (series-kernels.ts). */
const TABLES_ADDRESS = 64;

/** What `moveRecords` reads of the log. */
export interface LogToMove {
  /** The log: tag indexes, group words and float32 values (scalar-log.ts). */
  readonly words: Uint32Array;
  /** Words in the log. */
  readonly logged: number;
  /** (log position, step) pairs, where the step changes. */
  readonly stepChanges: readonly number[];
  /** By group id, its tags' indexes. */
  readonly groupTags: readonly Uint32Array[];
}

/** A bump allocator over the module's memory, 8-byte aligned. */
function layout(): (bytes: number) => number {
  let next = TABLES_ADDRESS;
  return (bytes) => {
    const at = next;
    next += (bytes + 7) & ~7;
    return at;
  };
}

/**
 * Appends to the columns of `pool` the records of `log` from log position `from` on whose tag t
 * has `selected[t]` 1 and whose position is at or after `movedTo[t]`, in log order.
 */
export function moveRecords(
  log: LogToMove,
  from: number,
  selected: Uint8Array,
  movedTo: Int32Array,
  pool: ColumnPool,
): void {
  const { words, logged, stepChanges, groupTags } = log;
  if (from >= logged) return;
  const tags = pool.count;
  const groups = groupTags.length;
  let groupTagCount = 0;
  let longest = 0;
  for (const indexes of groupTags) {
    groupTagCount += indexes.length;
    longest = Math.max(longest, indexes.length);
  }
  const window = Math.max(WINDOW_WORDS, 2 + longest);
  const next = layout();
  const at = {
    move: next(4 * MOVE_FIELDS.length),
    selected: next(tags),
    movedTo: next(4 * tags),
    counts: next(4 * tags),
    cursors: next(4 * tags),
    starts: next(4 * groups),
    sizes: next(4 * groups),
    groupTags: next(4 * groupTagCount),
    places: next(4 * groupTagCount),
    placeCounts: next(4 * groups),
    changes: next(8 * stepChanges.length),
    log: next(4 * window),
    // A window holds at most one record per word.
    steps: next(8 * window),
    values: next(8 * window),
  };
  const { module, memory } = seriesKernels(next(0));
  const { buffer } = memory;
  new Uint8Array(buffer, at.selected, tags).set(selected.subarray(0, tags));
  new Int32Array(buffer, at.movedTo, tags).set(movedTo.subarray(0, tags));
  const starts = new Int32Array(buffer, at.starts, groups);
  const sizes = new Int32Array(buffer, at.sizes, groups);
  const flat = new Uint32Array(buffer, at.groupTags, groupTagCount);
  for (let id = 0, start = 0; id < groups; id++) {
    starts[id] = start;
    sizes[id] = groupTags[id].length;
    flat.set(groupTags[id], start);
    start += groupTags[id].length;
  }
  new Float64Array(buffer, at.changes, stepChanges.length).set(stepChanges);
  const windowWords = new Uint32Array(buffer, at.log, window);
  const counts = new Int32Array(buffer, at.counts, tags);
  const cursors = new Int32Array(buffer, at.cursors, tags);
  const steps = new Float64Array(buffer, at.steps, window);
  const values = new Float64Array(buffer, at.values, window);
  const changeCount = stepChanges.length / 2;
  // The move's fields, in MOVE_FIELDS order: the first five change per window.
  const move = new Int32Array(buffer, at.move, MOVE_FIELDS.length);
  const tables = [at.selected, at.movedTo, at.groupTags, at.starts, at.sizes];
  const outputs = [at.counts, at.cursors, at.steps, at.values];
  move.set([tags, ...tables, ...outputs, groups, at.places, at.placeCounts], 5);
  // The step change at or before `k`: the first one passed to the module.
  let change = 0;
  for (let k = from; k < logged;) {
    while (change + 1 < changeCount && stepChanges[2 * change + 2] <= k) change++;
    const end = Math.min(logged, k + window);
    windowWords.set(words.subarray(k, end));
    move.set([at.log, k, end, at.changes + 16 * change, changeCount - change], 0);
    const stop = module.moveRecords(at.move);
    // The first of several windows reserves room for the whole move as its share foretells:
    // reserving window by window reallocated every column at each doubling (ColumnPool.reserve).
    pool.reserve(
      k === from && stop < logged ? foretold(counts, (logged - from) / (stop - from)) : counts,
    );
    const { offsets, lengths } = pool;
    for (let t = 0; t < tags; t++) {
      const count = counts[t];
      if (count === 0) continue;
      const start = cursors[t] - count;
      const into = offsets[t] + lengths[t];
      pool.steps.set(steps.subarray(start, start + count), into);
      pool.values.set(values.subarray(start, start + count), into);
      lengths[t] += count;
    }
    k = stop;
  }
}

/** `counts` scaled by `factor`, rounded up: each tag's records in a log `factor` times as long. */
function foretold(counts: Int32Array, factor: number): Int32Array {
  return counts.map((count) => Math.ceil(count * factor));
}
