/**
 * A number per variable of one `Optimizer.apply` (UpdateReport.updateNorms, ‖Δw‖, and
 * UpdateReport.weightSquares, Σw²): a read-only map over two arrays in update order. Made
 * every measured step, it costs a tenth of a `Map` of the same entries (~1 µs of CPU for 16
 * variables: a Map's table grows and is rehashed as it fills).
 */
import type { Variable } from '../layers/variable.js';

export class ByVariable implements ReadonlyMap<Variable, number> {
  private readonly variables: Variable[] = [];
  private readonly numbers: number[] = [];
  /** Where the next lookup looks first: readers go in update order (the probes, every step). */
  private next = 0;

  /** Adds `variable`'s number; each variable once, in update order. */
  add(variable: Variable, value: number): void {
    this.variables.push(variable);
    this.numbers.push(value);
  }

  get size(): number {
    return this.variables.length;
  }

  get(variable: Variable): number | undefined {
    const { variables, next } = this;
    const index = variables[next] === variable ? next : variables.indexOf(variable);
    if (index < 0) return undefined;
    this.next = index + 1;
    return this.numbers[index];
  }

  has(variable: Variable): boolean {
    return this.variables.includes(variable);
  }

  forEach(
    callback: (value: number, variable: Variable, map: ReadonlyMap<Variable, number>) => void,
    thisArg?: unknown,
  ): void {
    for (let k = 0; k < this.variables.length; k++) {
      callback.call(thisArg, this.numbers[k], this.variables[k], this);
    }
  }

  *entries(): MapIterator<[Variable, number]> {
    for (let k = 0; k < this.variables.length; k++) yield [this.variables[k], this.numbers[k]];
  }

  keys(): MapIterator<Variable> {
    return this.variables.values();
  }

  values(): MapIterator<number> {
    return this.numbers.values();
  }

  [Symbol.iterator](): MapIterator<[Variable, number]> {
    return this.entries();
  }
}
