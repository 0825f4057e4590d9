/**
 * Scalar series as columns (points.ts `ScalarColumns`): how the index stores them and how
 * `RunProvider.readScalarColumns` returns them. A million points cost 24 MB and no object per
 * point, so nothing for the garbage collector to trace; the object form (`ScalarPoint[]`) is
 * derived from the columns, never read separately.
 */
import type { ScalarColumns, ScalarPoint } from './points.js';

/** A tag's columns while they are appended to: three float64 arrays that double when full. */
export class ScalarColumnBuilder {
  private steps = new Float64Array(16);
  private wallTimes = new Float64Array(16);
  private values = new Float64Array(16);
  length = 0;

  push(step: number, wallTime: number, value: number): void {
    if (this.length === this.steps.length) {
      this.steps = grown(this.steps);
      this.wallTimes = grown(this.wallTimes);
      this.values = grown(this.values);
    }
    this.steps[this.length] = step;
    this.wallTimes[this.length] = wallTime;
    this.values[this.length] = value;
    this.length++;
  }

  /** Makes room for `capacity` points in all, so that appending up to that many copies nothing. */
  reserve(capacity: number): void {
    if (capacity <= this.steps.length) return;
    this.steps = grown(this.steps, capacity);
    this.wallTimes = grown(this.wallTimes, capacity);
    this.values = grown(this.values, capacity);
  }

  /**
   * The points so far, as views of the builder's arrays: no copy. Later pushes write past the
   * views' ends or into new arrays, so a view keeps showing the points it was made with.
   */
  columns(): ScalarColumns {
    const n = this.length;
    return {
      steps: this.steps.subarray(0, n),
      wallTimes: this.wallTimes.subarray(0, n),
      values: this.values.subarray(0, n),
    };
  }
}

/** `column` doubled (or made `length` long), its points kept. */
export function grown(
  column: Float64Array<ArrayBuffer>,
  length = column.length * 2,
): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(length);
  larger.set(column);
  return larger;
}

export const EMPTY_COLUMNS: ScalarColumns = {
  steps: new Float64Array(0),
  wallTimes: new Float64Array(0),
  values: new Float64Array(0),
};

/** The columns of `parts` one after another; a single part is returned as it is. */
export function concatColumns(parts: readonly ScalarColumns[]): ScalarColumns {
  if (parts.length === 0) return EMPTY_COLUMNS;
  if (parts.length === 1) return parts[0];
  const join = (pick: (part: ScalarColumns) => Float64Array): Float64Array => {
    const joined = new Float64Array(parts.reduce((sum, part) => sum + pick(part).length, 0));
    let at = 0;
    for (const part of parts) {
      joined.set(pick(part), at);
      at += pick(part).length;
    }
    return joined;
  };
  return {
    steps: join((part) => part.steps),
    wallTimes: join((part) => part.wallTimes),
    values: join((part) => part.values),
  };
}

/** The columns as new point objects. */
export function columnPoints(columns: ScalarColumns): ScalarPoint[] {
  const { steps, wallTimes, values } = columns;
  const points: ScalarPoint[] = new Array(steps.length);
  for (let i = 0; i < steps.length; i++) {
    points[i] = { step: steps[i], wallTime: wallTimes[i], value: values[i] };
  }
  return points;
}

/** Points as columns, for series computed from other series. */
export function pointColumns(points: readonly ScalarPoint[]): ScalarColumns {
  const n = points.length;
  const columns = {
    steps: new Float64Array(n),
    wallTimes: new Float64Array(n),
    values: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    columns.steps[i] = points[i].step;
    columns.wallTimes[i] = points[i].wallTime;
    columns.values[i] = points[i].value;
  }
  return columns;
}
