/**
 * How a MemoryRun (memory-provider.ts) stores scalars: per tag, or per scalar group in one block.
 *
 * The probes write a step's scalars as one group write (probe/sink.ts ScalarGroup) of the same
 * tags step after step. A group's block keeps one step and one wall time per write and the
 * values as float32 rows, one column per tag: a write is one row, not three numbers per tag
 * into three arrays per tag. Values are float32 anyway (they are stored as event files store
 * them), so a float32 store rounds exactly as Math.fround does.
 *
 * A tag's series follows its group's block while every point of it came from that group; a
 * point from anywhere else (a single `scalar`, another group) copies its points out first, and
 * the series keeps columns of its own from then on.
 */
import type { ScalarColumns } from './points.js';
import { grown, ScalarColumnBuilder } from './scalar-columns.js';

/** Room for this many points before a column first doubles. */
const INITIAL_POINTS = 16;

/** One scalar group's writes: a step, a wall time and a row of float32 values per write. */
export class GroupBlock {
  private steps = new Float64Array(INITIAL_POINTS);
  private wallTimes = new Float64Array(INITIAL_POINTS);
  private values: Float32Array<ArrayBuffer>;
  /** Writes so far. */
  length = 0;
  /** Series that stopped following the block: a write passes them their value. */
  readonly left: { column: number; series: MemorySeries }[] = [];

  /** A block of `width` columns, one per tag of its group. */
  constructor(readonly width: number) {
    this.values = new Float32Array(INITIAL_POINTS * width);
  }

  /** Appends `values[0..width)` at `step` and `wallTime`, rounded to float32. */
  write(values: ArrayLike<number>, step: number, wallTime: number): void {
    const { width } = this;
    if (this.length === this.steps.length) {
      this.steps = grown(this.steps);
      this.wallTimes = grown(this.wallTimes);
      const larger = new Float32Array(this.values.length * 2);
      larger.set(this.values);
      this.values = larger;
    }
    const row = this.length * width;
    const block = this.values;
    for (let k = 0; k < width; k++) block[row + k] = values[k];
    this.steps[this.length] = step;
    this.wallTimes[this.length++] = wallTime;
    for (const { column, series } of this.left) series.push(step, wallTime, values[column]);
  }

  /**
   * The first `n` points of `column`: steps and wall times as views (the block only appends, so
   * they keep showing those points), values copied out of the rows.
   */
  columns(column: number, n: number): ScalarColumns {
    const values = new Float64Array(n);
    const block = this.values;
    const { width } = this;
    for (let i = 0; i < n; i++) values[i] = block[i * width + column];
    return { steps: this.steps.subarray(0, n), wallTimes: this.wallTimes.subarray(0, n), values };
  }
}

/** One scalar tag's points: its group's block column, or columns of its own. */
export class MemorySeries {
  private block: GroupBlock | null;
  private column: number;
  private own: ScalarColumnBuilder | null = null;

  /**
   * A series of its own, or, made by a group's first write (while `block` is empty), one that
   * follows `block`'s `column`.
   */
  constructor(block: GroupBlock | null = null, column = 0) {
    this.block = block;
    this.column = column;
    if (block === null) this.ownColumns();
  }

  /** Points so far. */
  get length(): number {
    return this.own !== null ? this.own.length : this.block!.length;
  }

  /** Whether the series is `block`'s `column` (a write of its group stores its value). */
  follows(block: GroupBlock, column: number): boolean {
    return this.block === block && this.column === column;
  }

  /** Appends one point; `value` is rounded to float32. */
  push(step: number, wallTime: number, value: number): void {
    (this.own ?? this.ownColumns()).push(step, wallTime, Math.fround(value));
  }

  /**
   * The points so far as columns. A series of its own returns views (no copy, see
   * ScalarColumnBuilder.columns).
   */
  columns(): ScalarColumns {
    return this.own !== null
      ? this.own.columns()
      : this.block!.columns(this.column, this.block!.length);
  }

  /** Columns of its own, with the block's points copied in when it followed one. */
  private ownColumns(): ScalarColumnBuilder {
    const own = new ScalarColumnBuilder();
    const { block } = this;
    if (block !== null) {
      const { steps, wallTimes, values } = block.columns(this.column, block.length);
      for (let i = 0; i < steps.length; i++) own.push(steps[i], wallTimes[i], values[i]);
      block.left.push({ column: this.column, series: this });
      this.block = null;
    }
    return (this.own = own);
  }
}
