/**
 * Downsampling of long series for the browser. Scalars: Largest-Triangle-Three-Buckets (Steinarsson
 * 2013), which keeps the first and last points and, per bucket, the point that best preserves the
 * curve's shape, so spikes survive where plain striding would drop them. Histograms: an even
 * stride over steps that always keeps the first and the last.
 */

/**
 * Points per scalar series sent to the browser, at most: about two per pixel of a chart's
 * width. Measured in chromium here, a line of 1,000 points draws in ~0.1 s, of 2,000 in ~0.2 s.
 */
export const MAX_SCALAR_POINTS = 1000;
/** Histogram steps per tag sent to the browser, at most. */
export const MAX_HISTOGRAM_STEPS = 60;

/**
 * The indices of at most `threshold` of the points (xs[i], ys[i]) chosen by LTTB, in order.
 * Columns, not point objects: a series of a million points is read as it is stored.
 */
export function lttbIndices(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  threshold: number,
): number[] {
  const n = xs.length;
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const chosen = [0];
  const bucketSize = (n - 2) / (threshold - 2);
  let previous = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.floor((bucket + 1) * bucketSize) + 1;
    // The next bucket's mean is the third corner of each triangle.
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let meanX = 0;
    let meanY = 0;
    for (let i = end; i < nextEnd; i++) {
      meanX += xs[i];
      meanY += ys[i];
    }
    const count = Math.max(1, nextEnd - end);
    meanX /= count;
    meanY /= count;
    let best = start;
    let bestArea = -1;
    const ax = xs[previous];
    const ay = ys[previous];
    for (let i = start; i < end; i++) {
      const area = Math.abs((ax - meanX) * (ys[i] - ay) - (ax - xs[i]) * (meanY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    chosen.push(best);
    previous = best;
  }
  chosen.push(n - 1);
  return chosen;
}

/** At most `limit` indices of `n`, evenly spaced, the first and last always among them. */
export function evenIndices(n: number, limit: number): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, i) => Math.round(i * step));
}
