/**
 * BatchNormalization's passes over a rows × cols batch, per column (feature): SIMD
 * (assembly/batch-norm.ts, float32 lanes) and the plain-TypeScript reference (float64 sums).
 * Per-feature vectors hold cols floats; arrays outside the heap take the reference.
 */
import { address, onHeap } from './heap-address.js';
import { vectorWasm } from './vector-wasm.js';
import { heap } from '../heap.js';
import { nativeColumnPasses, type NativeColumnPasses } from './native.js';

/** The native passes with the wasm ones' bits (native/columns.c), where they run. */
const fastColumns = nativeColumnPasses(heap.memory);

/**
 * Batches of fewer elements stay in wasm, where the native call's cost is not repaid. Hot, on
 * the Zen 5 EPYC of 2026-12-04, wasm against native, in µs: normalize 0.12–0.18 against 0.17 at
 * 8×16, 0.58–0.61 against 0.21 at 16×32, 4.6 against 1.05 at 32×256; the other passes alike.
 */
export const NATIVE_COLUMNS_MIN = 512;

/** The passes for a rows × cols batch: native from NATIVE_COLUMNS_MIN elements, else wasm. */
export function columnPasses(rows: number, cols: number): Omit<NativeColumnPasses, 'sumRows'> {
  return fastColumns !== null && rows * cols >= NATIVE_COLUMNS_MIN ? fastColumns : vectorWasm;
}

export interface BatchNormKernels {
  /** mean[j] = Σ_r x[r, j]/rows;  variance[j] = Σ_r (x[r, j] − mean[j])²/rows (biased). */
  columnMoments(
    x: Float32Array,
    rows: number,
    cols: number,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  /** xHat = (x − mean)·invStd;  y = gamma·xHat + beta (null gamma: 1, null beta: 0). */
  normalize(
    x: Float32Array,
    mean: Float32Array,
    invStd: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    xHat: Float32Array,
    y: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** sum[j] = Σ_r outputGrad[r, j];  sumXHat[j] = Σ_r outputGrad[r, j]·xHat[r, j]. */
  gradSums(
    outputGrad: Float32Array,
    xHat: Float32Array,
    rows: number,
    cols: number,
    sum: Float32Array,
    sumXHat: Float32Array,
  ): void;
  /** inputGrad = scale·(outputGrad − meanGrad − xHat·meanGradXHat), per column. */
  inputGrad(
    outputGrad: Float32Array,
    xHat: Float32Array,
    scale: Float32Array,
    meanGrad: Float32Array,
    meanGradXHat: Float32Array,
    inputGrad: Float32Array,
    rows: number,
    cols: number,
  ): void;
}

export const referenceBatchNorm: BatchNormKernels = {
  columnMoments(x, rows, cols, mean, variance) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += x[r * cols + j];
      const mu = sum / rows;
      let squares = 0;
      for (let r = 0; r < rows; r++) squares += (x[r * cols + j] - mu) ** 2;
      mean[j] = mu;
      variance[j] = squares / rows;
    }
  },
  normalize(x, mean, invStd, gamma, beta, xHat, y, rows, cols) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const i = r * cols + j;
        xHat[i] = (x[i] - mean[j]) * invStd[j];
        y[i] = (gamma ? gamma[j] : 1) * xHat[i] + (beta ? beta[j] : 0);
      }
    }
  },
  gradSums(outputGrad, xHat, rows, cols, sum, sumXHat) {
    for (let j = 0; j < cols; j++) {
      let s = 0,
        sx = 0;
      for (let r = 0; r < rows; r++) {
        const i = r * cols + j;
        s += outputGrad[i];
        sx += outputGrad[i] * xHat[i];
      }
      sum[j] = s;
      sumXHat[j] = sx;
    }
  },
  inputGrad(outputGrad, xHat, scale, meanGrad, meanGradXHat, inputGrad, rows, cols) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const i = r * cols + j;
        inputGrad[i] = scale[j] * (outputGrad[i] - meanGrad[j] - xHat[i] * meanGradXHat[j]);
      }
    }
  },
};

export const simdBatchNorm: BatchNormKernels = {
  columnMoments(x, rows, cols, mean, variance) {
    if (!onHeap(x, mean, variance)) referenceBatchNorm.columnMoments(x, rows, cols, mean, variance);
    else
      columnPasses(rows, cols).columnMoments(
        x.byteOffset,
        rows,
        cols,
        mean.byteOffset,
        variance.byteOffset,
      );
  },
  normalize(x, mean, invStd, gamma, beta, xHat, y, rows, cols) {
    if (!onHeap(x, mean, invStd, gamma, beta, xHat, y)) {
      referenceBatchNorm.normalize(x, mean, invStd, gamma, beta, xHat, y, rows, cols);
      return;
    }
    columnPasses(rows, cols).normalize(
      x.byteOffset,
      mean.byteOffset,
      invStd.byteOffset,
      address(gamma),
      address(beta),
      xHat.byteOffset,
      y.byteOffset,
      rows,
      cols,
    );
  },
  gradSums(outputGrad, xHat, rows, cols, sum, sumXHat) {
    if (!onHeap(outputGrad, xHat, sum, sumXHat)) {
      referenceBatchNorm.gradSums(outputGrad, xHat, rows, cols, sum, sumXHat);
      return;
    }
    columnPasses(rows, cols).gradSums(
      outputGrad.byteOffset,
      xHat.byteOffset,
      rows,
      cols,
      sum.byteOffset,
      sumXHat.byteOffset,
    );
  },
  inputGrad(outputGrad, xHat, scale, meanGrad, meanGradXHat, inputGrad, rows, cols) {
    if (!onHeap(outputGrad, xHat, scale, meanGrad, meanGradXHat, inputGrad)) {
      referenceBatchNorm.inputGrad(
        outputGrad,
        xHat,
        scale,
        meanGrad,
        meanGradXHat,
        inputGrad,
        rows,
        cols,
      );
      return;
    }
    columnPasses(rows, cols).inputGrad(
      outputGrad.byteOffset,
      xHat.byteOffset,
      scale.byteOffset,
      meanGrad.byteOffset,
      meanGradXHat.byteOffset,
      inputGrad.byteOffset,
      rows,
      cols,
    );
  },
};
