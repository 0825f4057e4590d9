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
  /**
   * Per column: where its region starts and how many records it holds. A mover (log-move.ts)
   * writes record i of column c at `offsets[c] + i` of `steps` and `values` and counts it in
   * `lengths`, into the room `reserve` made.
   */
  readonly offsets: number[] = [];
  readonly lengths: number[] = [];
  private readonly capacities: number[] = [];
  steps = new Float64Array(0);
  values = new Float64Array(0);

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
   * moves into new arrays, those short of room with twice what they need (or their capacity):
   * the Diagnoser reads 4× as many steps each time, so that one in two reads reallocates.
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
        capacities[c] = Math.max(2 * capacities[c], 2 * needed, FIRST_CAPACITY);
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
