/**
 * Norms of gradients and weights, the one place that defines them (PyTorch `clip_grad.py`'s
 * habit: small functions that return the statistic). Probes and clipping both read one
 * `GradientNorms` per step: the norm is measured once, then scaled by the clipper.
 *
 * Sums run in float64 over float32 values: a float32 square is at most ~1.2e77, so no sum over
 * any tensor that fits in memory overflows, and a non-finite sum means a non-finite element.
 * A Tensor is summed by the SIMD kernel in place on the heap (in float32 groups of 8 squares:
 * relative error ≤ 2.4e-7, see kernels/sum-of-squares.ts); other arrays by the loop below.
 */
import { ValueError } from './errors.js';
import { everyFinite } from './statistics.js';
import { backend } from './kernels/index.js';
import type { Variable } from './layers/variable.js';
import { Tensor } from './tensor.js';

/** Values to take a norm of: a heap tensor, or any array of numbers. */
export type NormInput = Tensor | ArrayLike<number>;

/** Σ v², accumulated in float64. NaN or Infinity exactly when some element is non-finite. */
export function sumOfSquares(input: NormInput): number {
  if (input instanceof Tensor) return backend.sumOfSquares.one(input);
  const values = input;
  // Four partial sums break the chain of dependent additions: about 3× faster, and probes run
  // this over every weight and gradient each step.
  const n = values.length;
  const tail = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < tail; i += 4) {
    const a = values[i];
    const b = values[i + 1];
    const c = values[i + 2];
    const d = values[i + 3];
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (let i = tail; i < n; i++) s0 += values[i] * values[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * Where `sumsOfSquares` writes: a typed array kept from call to call, or a plain array for one
 * made per call (a Float64Array of more than 8 elements is allocated off V8's heap, ~2 µs each).
 */
export type SquaresOut = Float64Array | number[];

/**
 * Σ v² of each of `tensors` into `out[k]`, in one call into the kernel (a step's gradients,
 * weights or signals); returns the sum of them.
 */
export function sumsOfSquares(tensors: readonly Tensor[], out: SquaresOut): number {
  return backend.sumOfSquares.each(tensors, out);
}

/** The L2 norm √Σv². */
export function l2Norm(values: NormInput): number {
  return Math.sqrt(sumOfSquares(values));
}

/**
 * √(Σ over tensors of Σv²): the global L2 norm of several tensors taken as one vector. When
 * `squaresOut` is given, each tensor's Σv² is appended to it in order, for callers that need the
 * per-tensor norms too (probes, per-tensor clipping) without a second pass.
 */
export function globalNorm(tensors: Iterable<NormInput>, squaresOut?: number[]): number {
  let sum = 0;
  for (const values of tensors) {
    const squares = sumOfSquares(values);
    squaresOut?.push(squares);
    sum += squares;
  }
  return Math.sqrt(sum);
}

/**
 * Whether every value is finite. A float32 array is summed by the SIMD kernel in place where it
 * is on the heap (Σx² in float64 is finite exactly when every element is: see the top of this
 * file), at 2–3 µs for 25k values against 7 µs to copy them (2026-12-03).
 */
export function allFinite(values: ArrayLike<number>): boolean {
  if (values instanceof Float32Array) return Number.isFinite(backend.sumOfSquares.ofArray(values));
  return everyFinite(values);
}

/** Number of NaN, +Infinity and −Infinity elements. */
export function countNonFinite(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) count++;
  return count;
}

/**
 * The non-finite count of a tensor whose `sumOfSquares` is already known: 0 without a second
 * pass when the sum is finite (the usual case), else a counting pass. A Tensor's elements are
 * only looked at then (taking a tensor's view costs more than the test, every step).
 */
export function countNonFiniteGiven(values: NormInput, squares: number): number {
  if (Number.isFinite(squares)) return 0;
  return countNonFinite(values instanceof Tensor ? values.data : values);
}

/**
 * One step's gradient measurement, PyTorch's get_total_norm: each variable's Σg² and the global
 * norm √(Σ over variables of Σg²), taken on first use and then kept, so the clipper and every
 * probe read the same numbers from one pass. It measures the gradients as backward left them:
 * a callback that rewrites gradients in `onGradients` belongs in a clipper instead.
 */
export class GradientNorms {
  /**
   * A plain array, not a Float64Array: one is made per step, and a typed array of more than 8
   * elements costs 1–3 µs of CPU to allocate and collect, more than the probes' other reads.
   */
  private squares: number[] | null = null;
  private norm = NaN;

  /** The variables measured: a model's trainable variables, in order. */
  constructor(readonly variables: readonly Variable[]) {}

  /** √(Σ over variables of Σg²), NaN or Infinity exactly when some gradient element is. */
  get total(): number {
    this.measure();
    return this.norm;
  }

  /** Σg² of one measured variable's gradient. */
  squaresOf(variable: Variable): number {
    const index = this.variables.indexOf(variable);
    if (index < 0) {
      throw new ValueError(
        `GradientNorms: expected one of the measured variables. Received: ${variable.name}`,
      );
    }
    return this.measure()[index];
  }

  /** Σg² of `variables[index]`'s gradient, for callers that keep the variables' order. */
  squaresAt(index: number): number {
    const squares = this.measure();
    if (!(Number.isInteger(index) && index >= 0 && index < squares.length)) {
      throw new ValueError(
        `GradientNorms: expected an index below ${squares.length}. Received: index=${index}`,
      );
    }
    return squares[index];
  }

  private measure(): number[] {
    if (this.squares === null) {
      const squares = new Array<number>(this.variables.length).fill(0);
      // Sums the kernels took as they wrote the gradients (a product with `measure`) are read
      // first: handing out a gradient tensor below forgets its recorded sum.
      let total = 0;
      let unrecorded = 0;
      for (let k = 0; k < this.variables.length; k++) {
        const recorded = this.variables[k].recordedGradSquares;
        if (recorded === null) unrecorded++;
        else total += squares[k] = recorded;
      }
      if (unrecorded > 0) total += this.measureUnrecorded(squares, unrecorded);
      this.norm = Math.sqrt(total);
      this.squares = squares;
    }
    return this.squares;
  }

  /** Σg² of the variables without a recorded sum, in one kernel call, into `squares`. */
  private measureUnrecorded(squares: number[], count: number): number {
    const { variables } = this;
    const tensors: Tensor[] = [];
    const indices: number[] = [];
    for (let k = 0; k < variables.length; k++) {
      if (variables[k].recordedGradSquares !== null) continue;
      indices.push(k);
      tensors.push(variables[k].trainableGrad);
    }
    const sums = count === variables.length ? squares : new Array<number>(count).fill(0);
    const total = sumsOfSquares(tensors, sums);
    if (sums !== squares) for (let i = 0; i < count; i++) squares[indices[i]] = sums[i];
    return total;
  }
}
