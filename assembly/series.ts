// The numeric loops of histogram bucketing and of the rules' medians (src/log/series-kernels.ts
// explains why they are here and lays out the memory). Each is a literal port of the JavaScript
// it replaces, comparison for comparison, so that every result is the same to the last bit:
// the histograms' range and counts of log/histograms.ts, the median of engine/statistics.ts.

export {
  keepFinite,
  keepFinitePositive,
  sameSteps,
  firstAtLeast,
  divideInto,
  finiteCount,
  finiteMax,
  sum,
} from './columns';

// The smallest and largest finite value of the n values at `at` and how many are finite, as
// three f64s at `out`; `x - x != 0` is true exactly for NaN and ±Infinity.
function finiteRange<T>(at: usize, n: i32, out: usize): void {
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const value = <f64>load<T>(at + (<usize>i << alignof<T>()));
    if (value - value != 0) continue;
    count++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  store<f64>(out, min);
  store<f64>(out, max, 8);
  store<f64>(out, <f64>count, 16);
}

export function finiteRangeF32(at: usize, n: i32, out: usize): void {
  finiteRange<f32>(at, n, out);
}

export function finiteRangeF64(at: usize, n: i32, out: usize): void {
  finiteRange<f64>(at, n, out);
}

// JavaScript's `q | 0` (ToInt32) of a quotient that is not negative, or NaN.
@inline function toInt32(q: f64): i32 {
  if (q < 2147483648.0) return <i32>q;
  if (!(q < Infinity)) return 0;
  return <i32><i64>(q % 4294967296.0);
}

// Adds each finite value of the n at `at` to its count of the `buckets` f64 counts at `counts`:
// bucket ⌊(value − min) / width⌋ as `| 0` takes it, width = (max − min) / buckets, from the
// range at `range` (finiteRange's), the last one closed. An index that `| 0` makes negative
// counts nowhere, as a typed array ignores a write at a negative index.
function countFinite<T>(at: usize, n: i32, range: usize, counts: usize, buckets: i32): void {
  const min = load<f64>(range);
  const width = (load<f64>(range, 8) - min) / <f64>buckets;
  const last = buckets - 1;
  for (let i = 0; i < n; i++) {
    const value = <f64>load<T>(at + (<usize>i << alignof<T>()));
    if (value - value != 0) continue;
    const k = toInt32((value - min) / width);
    if (k < 0) continue;
    const slot = counts + (<usize>(k < last ? k : last) << 3);
    store<f64>(slot, load<f64>(slot) + 1);
  }
}

export function countFiniteF32(at: usize, n: i32, range: usize, counts: usize, b: i32): void {
  countFinite<f32>(at, n, range, counts, b);
}

export function countFiniteF64(at: usize, n: i32, range: usize, counts: usize, b: i32): void {
  countFinite<f64>(at, n, range, counts, b);
}

@inline function get(a: usize, i: i32): f64 {
  return load<f64>(a + (<usize>i << 3));
}

@inline function set(a: usize, i: i32, value: f64): void {
  store<f64>(a + (<usize>i << 3), value);
}

// Rearranges the n f64s at `a` so that the k-th is the k-th smallest (Hoare's selection, middle
// pivot), and returns it: engine/statistics.ts `select`.
function select(a: usize, n: i32, k: i32): f64 {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = get(a, (lo + hi) >> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (get(a, i) < pivot) i++;
      while (get(a, j) > pivot) j--;
      if (i <= j) {
        const t = get(a, i);
        set(a, i++, get(a, j));
        set(a, j--, t);
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return get(a, k);
}

// The median of the n (≥ 1) f64s at `a`, reordering them: engine/statistics.ts `medianInPlace`.
export function median(a: usize, n: i32): f64 {
  const mid = n >> 1;
  const upper = select(a, n, mid);
  if (n & 1) return upper;
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (get(a, i) > lower) lower = get(a, i);
  return (lower + upper) / 2;
}

// The median of the finite values of the n f64s at `a`, NaN when none is: they are moved to
// the front in order, then selected among.
export function finiteMedian(a: usize, n: i32): f64 {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const value = get(a, i);
    if (value - value == 0) set(a, count++, value);
  }
  return count == 0 ? NaN : median(a, count);
}

// The live run's scalar log (src/diagnose/scalar-log.ts) into columns, as the move described
// at `d` asks: eighteen i32 fields, in the order of src/diagnose/log-move.ts MOVE_FIELDS. The
// records moved are those in the log window at LOG (the log's words from log position FROM on,
// up to END) whose tag t has SELECTED[t] 1 (a byte) and whose position is at or after
// MOVED_TO[t], each tag's in log order. A log entry is a single record (its tag's index, then
// its value as a float32) or a group write (GROUP | its id, then one float32 per tag of the
// group: the SIZES[id] tag indexes at GROUP_TAGS + 4·STARTS[id]). Each entry's step is that of
// the last of the CHANGE_COUNT step changes at CHANGES, (log position, step) f64 pairs, at or
// before it; the first one is at or before FROM. Only entries that end by END are read: returns
// the position after the last one read. Writes each tag's count to COUNTS (i32) and its steps
// and values to STEPS and VALUES (f64), tag after tag in index order, ending at CURSORS[t].
const GROUP: u32 = 0x8000_0000;
const LOG = 0;
const FROM = 4;
const END = 8;
const CHANGES = 12;
const CHANGE_COUNT = 16;
const TAGS = 20;
const SELECTED = 24;
const MOVED_TO = 28;
const GROUP_TAGS = 32;
const STARTS = 36;
const SIZES = 40;
const COUNTS = 44;
const CURSORS = 48;
const STEPS = 52;
const VALUES = 56;
const GROUPS = 60;
const PLACES = 64;
const PLACE_COUNTS = 68;

@inline function field(d: usize, offset: usize): usize {
  return <usize>load<i32>(d + offset);
}

@inline function at32(table: usize, i: i32): i32 {
  return load<i32>(table + (<usize>i << 2));
}

export function moveRecords(d: usize): i32 {
  const tags = <i32>field(d, TAGS);
  const counts = field(d, COUNTS);
  const cursors = field(d, CURSORS);
  memory.fill(counts, 0, <usize>tags << 2);
  selectPlaces(d);
  const stop = walk(d, <i32>field(d, END), true);
  let total = 0;
  for (let t = 0; t < tags; t++) {
    store<i32>(cursors + (<usize>t << 2), total);
    total += at32(counts, t);
  }
  walk(d, stop, false);
  return stop;
}

// For each group, the places i among its tags whose tag is selected, at PLACES + 4·STARTS[id]
// (PLACE_COUNTS[id] of them): a group write moves those alone.
function selectPlaces(d: usize): void {
  for (let id = 0; id < <i32>field(d, GROUPS); id++) {
    const start = <usize>at32(field(d, STARTS), id) << 2;
    const tags = field(d, GROUP_TAGS) + start;
    const places = field(d, PLACES) + start;
    let count = 0;
    for (let i = 0; i < at32(field(d, SIZES), id); i++) {
      if (load<u8>(field(d, SELECTED) + <usize>at32(tags, i)) == 0) continue;
      store<i32>(places + (<usize>count << 2), i);
      count++;
    }
    store<i32>(field(d, PLACE_COUNTS) + (<usize>id << 2), count);
  }
}

// The log position of the step change after change `change`, or the largest i32 if none is.
@inline function changeAfter(changes: usize, change: i32, changeCount: i32): i32 {
  if (change + 1 >= changeCount) return i32.MAX_VALUE;
  return <i32>load<f64>(changes + (<usize>(change + 1) << 4));
}

// One pass over the entries from FROM to `end`: counting each tag's records into COUNTS, or
// writing them at the CURSORS places of STEPS and VALUES. The fields are read once, into locals.
function walk(d: usize, end: i32, counting: bool): i32 {
  const log = field(d, LOG);
  const from = <i32>field(d, FROM);
  const changes = field(d, CHANGES);
  const changeCount = <i32>field(d, CHANGE_COUNT);
  const sizes = field(d, SIZES);
  const starts = field(d, STARTS);
  const groupTags = field(d, GROUP_TAGS);
  const places = field(d, PLACES);
  const placeCounts = field(d, PLACE_COUNTS);
  const selected = field(d, SELECTED);
  const movedTo = field(d, MOVED_TO);
  // 0 when writing: address 0 holds results, never a table.
  const counts = counting ? field(d, COUNTS) : 0;
  const cursors = field(d, CURSORS);
  const steps = field(d, STEPS);
  const values = field(d, VALUES);
  let change = 0;
  let step = load<f64>(changes, 8);
  let next = changeAfter(changes, change, changeCount);
  let k = from;
  while (k < end) {
    const head = load<u32>(log + (<usize>(k - from) << 2));
    const size = head < GROUP ? 1 : at32(sizes, <i32>(head ^ GROUP));
    if (k + 1 + size > end) break;
    while (k >= next) {
      change++;
      step = load<f64>(changes + (<usize>change << 4), 8);
      next = changeAfter(changes, change, changeCount);
    }
    const read = log + (<usize>(k + 1 - from) << 2);
    if (head < GROUP) {
      const value = load<f32>(read);
      take(<i32>head, k, value, step, selected, movedTo, counts, cursors, steps, values);
    } else {
      const id = <i32>(head ^ GROUP);
      const start = <usize>at32(starts, id) << 2;
      for (let p = 0; p < at32(placeCounts, id); p++) {
        const i = at32(places + start, p);
        const value = load<f32>(read + (<usize>i << 2));
        const t = at32(groupTags + start, i);
        take(t, k, value, step, selected, movedTo, counts, cursors, steps, values);
      }
    }
    k += 1 + size;
  }
  return k;
}

// Counts (into `counts`, when not 0) or writes (at its `cursors` place of `steps` and `values`)
// the record of tag `t` in the entry at log position `k`, if the tag is selected and the record
// not in its column yet.
@inline function take(
  t: i32,
  k: i32,
  value: f32,
  step: f64,
  selected: usize,
  movedTo: usize,
  counts: usize,
  cursors: usize,
  steps: usize,
  values: usize,
): void {
  if (load<u8>(selected + <usize>t) == 0 || k < at32(movedTo, t)) return;
  if (counts != 0) {
    const slot = counts + (<usize>t << 2);
    store<i32>(slot, load<i32>(slot) + 1);
    return;
  }
  const slot = cursors + (<usize>t << 2);
  const place = load<i32>(slot);
  store<i32>(slot, place + 1);
  store<f64>(steps + (<usize>place << 3), step);
  store<f64>(values + (<usize>place << 3), <f64>value);
}
