/**
 * Elementwise work around the matrix products: the bias add fused with the activation, the
 * activation's derivative times the backprop signal, the bias gradient's row sums, the
 * elementwise product and the row-wise softmax (natively, native/softmax.c). SIMD (assembly/activations.ts, rows.ts) for the activations that have
 * a wasm form (ACTIVATION_CODES), the plain-TypeScript reference for the others and for
 * arrays outside the heap.
 */
import { heap } from '../heap.js';
import { address, onHeap } from './heap-address.js';
import { nativeColumnPasses, nativeReluGrad, nativeSoftmax } from './native.js';
import { referenceSquares } from './sum-of-squares.js';
import { vectorWasm } from './vector-wasm.js';

/** An elementwise function and its derivative (the activation table's entries). */
export interface PointwiseFunction {
  readonly name: string;
  output(x: number): number;
  /** f′(x), given y = f(x). */
  der(x: number, y: number): number;
}

export interface ElementwiseKernels {
  /** z[r, :] += bias (when given), then a = f(z), over rows × cols; `a` may be `z`. */
  biasActivation(
    fn: PointwiseFunction,
    z: Float32Array,
    bias: Float32Array | null,
    a: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /**
   * zGrad = outputGrad · f′(z) over the first n elements, given a = f(z). With `measure`, also
   * returns Σ outputGrad² (with the bits of the SumOfSquaresKernel's `one`), else 0.
   */
  activationGrad(
    fn: PointwiseFunction,
    z: Float32Array,
    a: Float32Array,
    outputGrad: Float32Array,
    zGrad: Float32Array,
    n: number,
    measure?: boolean,
  ): number;
  /**
   * out[j] += Σ_r m[r, j], rows added in order. With `measure`, also returns Σ out[j]² as it
   * leaves out (float64, NaN or Infinity exactly when an element is), else 0.
   */
  sumRowsInto(
    m: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    measure?: boolean,
  ): number;
  /** out = a ⊙ b over the first n elements. */
  multiply(a: Float32Array, b: Float32Array, out: Float32Array, n: number): void;
  /**
   * a = softmax(z) row by row, shifted by the row's max; each row's max and Σ exp(z − max),
   * summed in float64 in order, into `rowStats` (at 2r and 2r + 1) when given.
   */
  softmaxRows(
    z: Float32Array,
    a: Float32Array,
    rows: number,
    cols: number,
    rowStats: Float64Array | null,
  ): void;
}

export const referenceElementwise: ElementwiseKernels = {
  biasActivation(fn, z, bias, a, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) {
        if (bias) z[o + j] += bias[j];
        a[o + j] = fn.output(z[o + j]);
      }
    }
  },
  activationGrad(fn, z, a, outputGrad, zGrad, n, measure = false) {
    const squares = measure ? referenceSquares(outputGrad, n) : 0;
    for (let i = 0; i < n; i++) zGrad[i] = outputGrad[i] * fn.der(z[i], a[i]);
    return squares;
  },
  sumRowsInto(m, out, rows, cols, measure = false) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) out[j] += m[o + j];
    }
    return measure ? referenceSquares(out, cols) : 0;
  },
  multiply(a, b, out, n) {
    for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
  },
  // `sum` adds each exp as computed (an assignment's value is its right side), not as stored in
  // a: the sum log-sum-exp takes (losses.ts), so a fused loss reads it from `rowStats`.
  softmaxRows(z, a, rows, cols, rowStats) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, z[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += a[o + j] = Math.exp(z[o + j] - max);
      for (let j = 0; j < cols; j++) a[o + j] /= sum;
      if (rowStats) {
        rowStats[2 * r] = max;
        rowStats[2 * r + 1] = sum;
      }
    }
  },
};

/** The native softmax with the reference's bits (native/softmax.c), where it runs. */
const fastSoftmax = nativeSoftmax(heap.memory);

/** relu's native backward with the wasm one's bits (native/activations.c), where it runs. */
const fastReluGrad = nativeReluGrad(heap.memory);
/**
 * Below this many elements relu's backward stays in wasm, where the native call's cost is not
 * repaid. Hot, on the Zen 5 EPYC of 2026-12-04: 128 elements 0.029 µs in wasm against 0.035
 * natively, 256 0.068 against 0.059, 8192 1.39 against 0.53, 65,536 10.8 against 3.0.
 */
export const NATIVE_RELU_GRAD_MIN = 256;

/** The bias gradients' unmeasured row sums with the wasm ones' bits (native/columns.c). */
const fastSumRows = nativeColumnPasses(heap.memory)?.sumRows ?? null;
/**
 * From this many elements on the row sums run natively: the wasm loop already keeps four chains
 * of adds, so the native one gains only on wider batches. Hot, wasm against native, in µs:
 * 0.08–0.14 against 0.16–0.21 at 8×16 and 16×32, 0.09 against 0.09–0.10 at 64×32, 0.10 against
 * 0.08 at 32×64, 0.39 against 0.23 at 32×256, 6.5 against 4.0 at 512×256.
 */
export const NATIVE_SUM_ROWS_MIN = 2048;

/** The activations assembly/activations.ts computes, by its codes. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
};

export const simdElementwise: ElementwiseKernels = {
  biasActivation(fn, z, bias, a, rows, cols) {
    if (!onHeap(z, bias, a)) {
      referenceElementwise.biasActivation(fn, z, bias, a, rows, cols);
      return;
    }
    const code = ACTIVATION_CODES[fn.name];
    if (code !== undefined) {
      vectorWasm.biasActivation(z.byteOffset, address(bias), a.byteOffset, rows, cols, code);
      return;
    }
    // The bias add in wasm (as linear, in place), the activation in TypeScript.
    if (bias) vectorWasm.biasActivation(z.byteOffset, bias.byteOffset, z.byteOffset, rows, cols, 0);
    referenceElementwise.biasActivation(fn, z, null, a, rows, cols);
  },
  activationGrad(fn, z, a, outputGrad, zGrad, n, measure = false) {
    const code = ACTIVATION_CODES[fn.name];
    if (code === undefined || !onHeap(z, a, outputGrad, zGrad)) {
      return referenceElementwise.activationGrad(fn, z, a, outputGrad, zGrad, n, measure);
    }
    const pz = z.byteOffset,
      pa = a.byteOffset,
      pg = outputGrad.byteOffset,
      pzg = zGrad.byteOffset;
    if (measure) return vectorWasm.activationGradSquares(pz, pa, pg, pzg, n, code);
    if (code === ACTIVATION_CODES.relu && fastReluGrad !== null && n >= NATIVE_RELU_GRAD_MIN) {
      fastReluGrad(pz, pg, pzg, n);
    } else {
      vectorWasm.activationGrad(pz, pa, pg, pzg, n, code);
    }
    return 0;
  },
  sumRowsInto(m, out, rows, cols, measure = false) {
    if (!onHeap(m, out)) return referenceElementwise.sumRowsInto(m, out, rows, cols, measure);
    if (!measure && fastSumRows !== null && rows * cols >= NATIVE_SUM_ROWS_MIN) {
      fastSumRows(m.byteOffset, out.byteOffset, rows, cols);
      return 0;
    }
    return vectorWasm.sumRowsInto(m.byteOffset, out.byteOffset, rows, cols, measure ? 1 : 0);
  },
  multiply(a, b, out, n) {
    if (!onHeap(a, b, out)) referenceElementwise.multiply(a, b, out, n);
    else vectorWasm.multiply(a.byteOffset, b.byteOffset, out.byteOffset, n);
  },
  softmaxRows(z, a, rows, cols, rowStats) {
    if (fastSoftmax === null || !onHeap(z, a)) {
      referenceElementwise.softmaxRows(z, a, rows, cols, rowStats);
      return;
    }
    fastSoftmax(z.byteOffset, a.byteOffset, rows, cols, rowStats);
  },
};

/** e^x by the SIMD kernels' exp (assembly/exp.ts), for its tests. Arrays must be on the heap. */
export function simdExp(x: Float32Array, out: Float32Array): void {
  if (!onHeap(x, out)) throw new RangeError('simdExp: x and out must be heap arrays');
  vectorWasm.expArray(x.byteOffset, out.byteOffset, Math.min(x.length, out.length));
}
