/** Small summary statistics shared by the data preparation, the experiments' findings and the bench. */
import { ValueError } from './errors.js';

/**
 * The median (mean of the middle two for an even count) of values that are not NaN. Throws on
 * an empty list. Found by selection, not sorting: linear time, for the long series of runs.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new ValueError('median: expected at least one value. Received: 0');
  const copy = Float64Array.from(values);
  const mid = copy.length >> 1;
  const upper = select(copy, mid);
  if (copy.length % 2) return upper;
  // After selection everything before `mid` is ≤ the upper middle: the lower is their largest.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (copy[i] > lower) lower = copy[i];
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
