/**
 * The scalar columns of a live run (live-run.ts): every tag's steps and values in one pair of
 * float64 arrays, a region per tag. Growing them is one allocation for all tags, where a pair
 * of arrays per tag, each doubling on its own, made some 900 allocations an epoch on the
 * reference model, each a few microseconds (bench/diagnoser-overhead.ts).
 */
import type { ScalarColumns } from '../log/points.js';

/** A column's first capacity, in records. */
const FIRST_CAPACITY = 64;

export class ColumnPool {
  /** Per column: where its region starts, how many records it holds, and how many it has. */
  private readonly offsets: number[] = [];
  private readonly capacities: number[] = [];
  readonly lengths: number[] = [];
  private steps = new Float64Array(0);
  private values = new Float64Array(0);

  get count(): number {
    return this.lengths.length;
  }

  /** A new, empty column; returns its index. */
  addColumn(): number {
    this.offsets.push(this.steps.length);
    this.capacities.push(0);
    this.lengths.push(0);
    return this.lengths.length - 1;
  }

  /**
   * Makes room for `more[c]` further records in each column c: when any lacks it, every column
   * moves into new arrays, those short of room with twice their capacity (or what they need).
   */
  reserve(more: Int32Array): void {
    const { capacities, lengths } = this;
    let short = false;
    for (let c = 0; c < lengths.length; c++) if (lengths[c] + more[c] > capacities[c]) short = true;
    if (!short) return;
    let total = 0;
    const offsets: number[] = [];
    for (let c = 0; c < lengths.length; c++) {
      const needed = lengths[c] + more[c];
      if (needed > capacities[c]) {
        capacities[c] = Math.max(2 * capacities[c], needed, FIRST_CAPACITY);
      }
      offsets.push(total);
      total += capacities[c];
    }
    const steps = new Float64Array(total);
    const values = new Float64Array(total);
    for (let c = 0; c < lengths.length; c++) {
      const from = this.offsets[c];
      steps.set(this.steps.subarray(from, from + lengths[c]), offsets[c]);
      values.set(this.values.subarray(from, from + lengths[c]), offsets[c]);
      this.offsets[c] = offsets[c];
    }
    this.steps = steps;
    this.values = values;
  }

  /**
   * Appends the records k in [from, to) of tags t with `selected[t]` 1 and k ≥ `movedTo[t]`,
   * which `reserve` made room for: record k goes to column `indexes[2k]` with value
   * `values[2k + 1]` (scalar-log.ts's log) and the step of the last (record, step) pair of
   * `stepChanges` at or before it. One loop per step, so the inner one only copies.
   */
  appendAll(
    indexes: Uint32Array,
    values: Float32Array,
    from: number,
    to: number,
    stepChanges: readonly number[],
    selected: Uint8Array,
    movedTo: Int32Array,
  ): void {
    const { offsets, lengths } = this;
    const stepColumn = this.steps;
    const valueColumn = this.values;
    for (let s = 0; s < stepChanges.length; s += 2) {
      const step = stepChanges[s + 1];
      const start = Math.max(from, stepChanges[s]);
      const end = Math.min(to, s + 2 < stepChanges.length ? stepChanges[s + 2] : to);
      for (let k = start; k < end; k++) {
        const c = indexes[2 * k];
        if (selected[c] === 0 || k < movedTo[c]) continue;
        const at = offsets[c] + lengths[c]++;
        stepColumn[at] = step;
        valueColumn[at] = values[2 * k + 1];
      }
    }
  }

  /**
   * Column `c` as ScalarColumns: views of the pool's arrays, no copy (a later `reserve` moves
   * the pool, and leaves these views as they were). Wall times read 0: no rule reads them.
   */
  columns(c: number): ScalarColumns {
    const n = this.lengths[c];
    const offset = this.offsets[c] * Float64Array.BYTES_PER_ELEMENT;
    return {
      steps: new Float64Array(this.steps.buffer, offset, n),
      wallTimes: zeros(n),
      values: new Float64Array(this.values.buffer, offset, n),
    };
  }
}

/** n zero wall times, as a view of one array shared by every column. */
let sharedZeros = new Float64Array(1024);
function zeros(n: number): Float64Array {
  if (n > sharedZeros.length) sharedZeros = new Float64Array(2 * n);
  return new Float64Array(sharedZeros.buffer, 0, n);
}
