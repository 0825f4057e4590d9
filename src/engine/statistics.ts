/** Small summary statistics shared by the data preparation, the experiments' findings and the bench. */
import { ValueError } from './errors.js';

/** Whether every one of `values` is finite (x − x is NaN exactly for NaN and ±Infinity). */
export function everyFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return false;
  return true;
}

/**
 * The median (mean of the middle two for an even count) of values that are not NaN. Throws on
 * an empty list. Found by selection, not sorting: linear time, for the long series of runs.
 */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}

/**
 * `median` of `values`, reordering them: for a copy the caller has just made (no second copy).
 * Throws on an empty array.
 */
export function medianInPlace(values: Float64Array): number {
  if (values.length === 0) throw new ValueError('median: expected at least one value. Received: 0');
  const mid = values.length >> 1;
  const upper = select(values, mid);
  if (values.length % 2) return upper;
  // After selection everything before `mid` is ≤ the upper middle: the lower is their largest.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}

/**
 * Rearranges `a` so that a[k] is the k-th smallest, everything before it ≤ it and everything
 * after ≥ it (Hoare's selection, middle pivot), and returns a[k].
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break; // j < k < i: a[k] equals the pivot
  }
  return a[k];
}
