// The numeric loops of histogram bucketing and of the rules' medians (src/log/series-kernels.ts
// explains why they are here and lays out the memory). Each gives the results of the
// JavaScript it replaces to the last bit: the histograms' range and counts of
// log/histograms.ts, the median of engine/statistics.ts (a literal port).

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

// Histogram bucketing in SIMD, 4 values at a time (src/log/series-kernels.ts lays out the
// memory). The results are those of the loops of log/histograms.ts, to the last bit; where a
// value leaves the fast path's domain, it takes the loop's own steps.

// The range of the n values at `at` (T: f32 or f64), as three f64s at `out`: the smallest and
// largest finite value and how many are finite (`x - x != 0` exactly for NaN and ±Infinity).
// Lane by lane, each lane keeps its first extreme, as the loop `if (value < min) min = value`
// does. The loop's extreme is the first value equal to it, which can differ from a lane's only
// in the sign of a zero: a zero extreme is taken again from the first zero. `out` + 32 and + 48
// are scratch for the lanes.
function finiteRange<T>(at: usize, n: i32, out: usize): void {
  const lanes = <i32>(16 / sizeof<T>());
  let low = v128.splat<T>(<T>Infinity);
  let high = v128.splat<T>(<T>-Infinity);
  let finite = v128.splat<i32>(0);
  const whole = n & ~(lanes - 1);
  let i = 0;
  for (; i < whole; i += lanes) {
    const value = v128.load(at + (<usize>i << alignof<T>()));
    const mask = v128.eq<T>(v128.sub<T>(value, value), v128.splat<T>(0));
    // pmin(low, x) is x < low ? x : low, the loop's test; a non-finite x is made ±Infinity.
    low = v128.pmin<T>(low, v128.bitselect(value, v128.splat<T>(<T>Infinity), mask));
    high = v128.pmax<T>(high, v128.bitselect(value, v128.splat<T>(<T>-Infinity), mask));
    // A mask lane is all ones where finite: -1 per lane of f32, per i32 half of an f64 lane.
    finite = v128.sub<i32>(finite, mask);
  }
  v128.store(out, low, 32);
  v128.store(out, high, 48);
  let min: f64 = Infinity;
  let max: f64 = -Infinity;
  for (let lane = 0; lane < lanes; lane++) {
    const lo = <f64>load<T>(out + 32 + (<usize>lane << alignof<T>()));
    const hi = <f64>load<T>(out + 48 + (<usize>lane << alignof<T>()));
    if (lo < min) min = lo;
    if (hi > max) max = hi;
  }
  let count = i32x4.extract_lane(finite, 0) + i32x4.extract_lane(finite, 1);
  count += i32x4.extract_lane(finite, 2) + i32x4.extract_lane(finite, 3);
  if (lanes == 2) count >>= 1;
  for (; i < n; i++) {
    const value = <f64>load<T>(at + (<usize>i << alignof<T>()));
    if (value - value != 0) continue;
    count++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min == 0 || max == 0) {
    let k = 0;
    while (<f64>load<T>(at + (<usize>k << alignof<T>())) != 0) k++;
    const zero = <f64>load<T>(at + (<usize>k << alignof<T>()));
    if (min == 0) min = zero;
    if (max == 0) max = zero;
  }
  store<f64>(out, min);
  store<f64>(out, max, 8);
  store<f64>(out, <f64>count, 16);
}

// JavaScript's `q | 0` (ToInt32) of a quotient that is not negative, or NaN.
@inline function toInt32(q: f64): i32 {
  if (q < 2147483648.0) return <i32>q;
  if (!(q < Infinity)) return 0;
  return <i32><i64>(q % 4294967296.0);
}

// The bucket of `value` as the loop takes it, ⌊(value − min) / width⌋ by `| 0`, the last one
// closed; -1 for a value counted nowhere: a non-finite one, or one that `| 0` makes negative
// (a typed array ignores a write at a negative index).
@inline function bucketOf(value: f64, min: f64, width: f64, last: i32): i32 {
  if (value - value != 0) return -1;
  const k = toInt32((value - min) / width);
  if (k < 0) return -1;
  return k < last ? k : last;
}

// Counts the n values at `at` in `buckets` buckets from the range at `range` (finiteRange's),
// into f64 counts at `counts`. Four tables of i32 counts at `tables`, each `buckets` + 1 long
// (its slot 0 takes the values counted nowhere), one per value of a group of four: an increment
// of the same count as the value before would wait for its store, whose address waits for a
// division. A group whose quotients are all in [0, 2³¹) (so not NaN) is truncated in SIMD, as
// `| 0` truncates those; any other takes bucketOf's steps. (Measured: 3.5 ns a value, against
// 18 ns for the loop of one f64 count per bucket.)
function countFinite<T>(
  at: usize,
  n: i32,
  range: usize,
  counts: usize,
  buckets: i32,
  tables: usize,
): void {
  const min = load<f64>(range);
  const width = (load<f64>(range, 8) - min) / <f64>buckets;
  const last = buckets - 1;
  const stride = <usize>(buckets + 1) << 2;
  memory.fill(tables, 0, stride << 2);
  const t0 = tables + 4;
  const t1 = t0 + stride;
  const t2 = t1 + stride;
  const t3 = t2 + stride;
  const low = f64x2.splat(min);
  const span = f64x2.splat(width);
  const zero = f64x2.splat(0);
  const limit = f64x2.splat(2147483648.0);
  const magic = f64x2.splat(4503599627370496.0);
  const top = i32x4.splat(last);
  const whole = n & ~3;
  for (let i = 0; i < whole; i += 4) {
    const p = at + (<usize>i << alignof<T>());
    let a: v128, b: v128;
    if (sizeof<T>() == 4) {
      const v = v128.load(p);
      a = f64x2.promote_low_f32x4(v);
      b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    } else {
      a = v128.load(p);
      b = v128.load(p, 16);
    }
    const qa = f64x2.div(f64x2.sub(a, low), span);
    const qb = f64x2.div(f64x2.sub(b, low), span);
    const inA = v128.and(f64x2.ge(qa, zero), f64x2.lt(qa, limit));
    const inB = v128.and(f64x2.ge(qb, zero), f64x2.lt(qb, limit));
    let k0: i32, k1: i32, k2: i32, k3: i32;
    if (i64x2.all_true(v128.and(inA, inB))) {
      // An integer t in [0, 2³¹) is the low word of t + 2⁵² (exact): cheaper than trunc_sat.
      const ka = f64x2.add(f64x2.trunc(qa), magic);
      const kb = f64x2.add(f64x2.trunc(qb), magic);
      const k = i32x4.min_s(v128.shuffle<i32>(ka, kb, 0, 2, 4, 6), top);
      k0 = i32x4.extract_lane(k, 0);
      k1 = i32x4.extract_lane(k, 1);
      k2 = i32x4.extract_lane(k, 2);
      k3 = i32x4.extract_lane(k, 3);
    } else {
      k0 = bucketOf(<f64>load<T>(p), min, width, last);
      k1 = bucketOf(<f64>load<T>(p, sizeof<T>()), min, width, last);
      k2 = bucketOf(<f64>load<T>(p, 2 * sizeof<T>()), min, width, last);
      k3 = bucketOf(<f64>load<T>(p, 3 * sizeof<T>()), min, width, last);
    }
    increment(t0, k0);
    increment(t1, k1);
    increment(t2, k2);
    increment(t3, k3);
  }
  for (let i = whole; i < n; i++) {
    increment(t0, bucketOf(<f64>load<T>(at + (<usize>i << alignof<T>())), min, width, last));
  }
  for (let k = 0; k < buckets; k++) {
    const slot = t0 + (<usize>k << 2);
    const sum = load<i32>(slot) + load<i32>(slot + stride);
    const total = sum + load<i32>(slot + 2 * stride) + load<i32>(slot + 3 * stride);
    store<f64>(counts + (<usize>k << 3), <f64>total);
  }
}

@inline function increment(table: usize, k: i32): void {
  const slot = table + (<isize>k << 2);
  store<i32>(slot, load<i32>(slot) + 1);
}

// A histogram of the n values at `at` (float32 when `float32`, else float64): their range at
// `out` (finiteRange's), and their `buckets` counts at `counts`, all zero unless the finite
// values span more than one value. `tables` is countFinite's scratch.
export function bucketFinite(
  at: usize,
  n: i32,
  out: usize,
  counts: usize,
  buckets: i32,
  tables: usize,
  float32: bool,
): void {
  if (float32) finiteRange<f32>(at, n, out);
  else finiteRange<f64>(at, n, out);
  if (!(load<f64>(out, 16) > 0 && load<f64>(out) != load<f64>(out, 8))) {
    memory.fill(counts, 0, <usize>buckets << 3);
  } else if (float32) {
    countFinite<f32>(at, n, out, counts, buckets, tables);
  } else {
    countFinite<f64>(at, n, out, counts, buckets, tables);
  }
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
