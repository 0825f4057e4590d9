/**
 * A tag's scalar points as three float64 columns that double when full: a million points cost
 * 24 MB and no object per point, and nothing for the garbage collector to trace.
 */
import type { ScalarPoint } from './points.js';

export class ScalarColumns {
  steps = new Float64Array(16);
  wallTimes = new Float64Array(16);
  values = new Float64Array(16);
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

  /** Appends the points as new objects to `points`. */
  appendTo(points: ScalarPoint[]): void {
    for (let i = 0; i < this.length; i++) {
      points.push({ step: this.steps[i], wallTime: this.wallTimes[i], value: this.values[i] });
    }
  }
}

function grown(column: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(column.length * 2);
  larger.set(column);
  return larger;
}
