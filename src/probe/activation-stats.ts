/**
 * Statistics of a layer's output a (batch × … × units, units on the last axis), each one pass
 * over the engine's buffer in float64, with no copy.
 */
import { TensorTable } from '../engine/kernels/tensor-table.js';
import { instantiateWasm } from '../engine/kernels/wasm.js';
import type { Tensor } from '../engine/tensor.js';

/**
 * A sigmoid or tanh unit counts as saturated when its derivative is below this: sigmoid
 * σ'(z) = a(1 − a) < 0.01, i.e. a < 0.010102 or a > 0.989898; tanh 1 − a² < 0.01, i.e.
 * |a| > 0.994987. Such a unit passes on less than 1% of the signal arriving at it.
 */
export const SATURATION_DERIVATIVE = 0.01;

export interface MeanAndStd {
  mean: number;
  std: number;
}

/**
 * Mean and population standard deviation (ddof 0) of `values`, in one pass. Sums are taken of
 * x − x₀ (the first value), which avoids the cancellation of E[x²] − E[x]² when the mean is
 * large against the spread.
 */
export function meanAndStd(values: ArrayLike<number>): MeanAndStd {
  const n = values.length;
  const shift = values[0];
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - shift;
    sum += d;
    squares += d * d;
  }
  return fromSums(n, shift, sum, squares);
}

/** Mean and std from the sums of `meanAndStd` over n values, x₀ the first. */
function fromSums(n: number, shift: number, sum: number, squares: number): MeanAndStd {
  if (n === 0) return { mean: NaN, std: NaN };
  const shiftedMean = sum / n;
  const variance = Math.max(0, squares / n - shiftedMean * shiftedMean);
  return { mean: shift + shiftedMean, std: Math.sqrt(variance) };
}

/** The tensors of `tensorMeansAndStds`, and their three sums each. */
const table = new TensorTable(3);

/**
 * `meanAndStd` of each tensor's values, the same to the last bit, in one call into
 * assembly/moments.ts: the loop's sums are chains of additions, one addition's latency a value
 * (~1.4 ns), and the kernel runs four tensors' chains side by side (~4× faster for a probe
 * step's layer outputs).
 */
export function tensorMeansAndStds(tensors: readonly Tensor[]): MeanAndStd[] {
  table.list(tensors);
  momentsWasm().moments(table.address, tensors.length, table.resultsAddress);
  const sums = table.results;
  const results: MeanAndStd[] = [];
  for (let k = 0; k < tensors.length; k++) {
    results.push(fromSums(tensors[k].size, sums[3 * k], sums[3 * k + 1], sums[3 * k + 2]));
  }
  return results;
}

function momentsWasm(): { moments(table: number, count: number, out: number): void } {
  return instantiateWasm('moments.wasm');
}

/**
 * Share of the elements of a sigmoid or tanh output whose derivative, computed from a, is below
 * SATURATION_DERIVATIVE. Each (sample, unit) pair counts once.
 */
export function saturatedFraction(
  values: ArrayLike<number>,
  activation: 'sigmoid' | 'tanh',
): number {
  let saturated = 0;
  if (activation === 'sigmoid') {
    for (let i = 0; i < values.length; i++) {
      const a = values[i];
      if (a * (1 - a) < SATURATION_DERIVATIVE) saturated++;
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const a = values[i];
      if (1 - a * a < SATURATION_DERIVATIVE) saturated++;
    }
  }
  return saturated / values.length;
}

/**
 * Share of the `units` (the last axis) of a ReLU output that are 0 for every sample of the batch
 * (and every time step): units through which no gradient flows for this batch.
 */
export function deadFraction(values: ArrayLike<number>, units: number): number {
  let dead = 0;
  for (let u = 0; u < units; u++) {
    // A live unit usually shows a non-zero output within its first few samples, so scanning
    // unit by unit and stopping there reads far fewer values than the whole batch.
    let i = u;
    while (i < values.length && values[i] === 0) i += units;
    if (i >= values.length) dead++;
  }
  return dead / units;
}
