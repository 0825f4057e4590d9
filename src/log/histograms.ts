/**
 * Histograms: a distribution of values per tag and step, TensorBoard's "histograms" plugin.
 *
 * Written in TensorBoard 2.x form: a Summary.Value whose tensor is DT_DOUBLE of shape [k, 3],
 * one row (left edge, right edge, count) per bucket, with metadata plugin_name "histograms" and
 * data_class DATA_CLASS_TENSOR. Bucketing follows current TensorBoard
 * (tensorboard/plugins/histogram/summary_v2.py, `histogram_pb` and `_buckets`): k equal-width
 * buckets from min to max, the last one closed on the right. Edge cases:
 * - empty input: k buckets of all zeros (left = right = count = 0), shape [k, 3]. Older
 *   TensorBoard wrote shape [0, 3] instead; the reader accepts both;
 * - all values equal to v: k buckets with left = right = v, all counts 0 but the last, which
 *   holds every value. (Older TensorBoard wrote one bucket [v - 0.5, v + 0.5].);
 * - non-finite values (NaN, ±Infinity): TensorBoard would turn min/max into NaN and lose the
 *   whole histogram; here they are excluded from the buckets and counted in `nonFiniteCount`,
 *   so a probe can report them. Input with no finite value is bucketed like empty input.
 *
 * Read also in the legacy form of TensorFlow 1.x, PyTorch and tensorboardX: a HistogramProto.
 */
import { DataClass, DataType } from './proto.js';
import type { HistogramMessage, SummaryMetadataMessage, SummaryValueMessage } from './proto.js';
import { realTensor, realTensorValues, tensorShape } from './tensor-proto.js';
import { checkPositiveInteger } from '../engine/errors.js';
import { bucketFinite } from './series-kernels.js';

export const HISTOGRAMS_PLUGIN_NAME = 'histograms';

/** Buckets per histogram unless the caller says otherwise (TensorBoard's default too). */
export const DEFAULT_BUCKET_COUNT = 30;

export interface Bucket {
  /** Left edge, inclusive. */
  left: number;
  /** Right edge: exclusive, except for the last bucket. */
  right: number;
  /** Number of values in the bucket. */
  count: number;
}

export interface HistogramSummary {
  buckets: Bucket[];
  /** Number of NaN and ±Infinity values left out of the buckets. */
  nonFiniteCount: number;
}

/**
 * Buckets the finite values of `values` (see the edge cases above), in two passes (min/max,
 * then counts) over a copy (a Float32Array is copied as float32s). `bucketCount` defaults to 30.
 */
export function computeHistogram(
  values: ArrayLike<number>,
  bucketCount = DEFAULT_BUCKET_COUNT,
): HistogramSummary {
  checkPositiveInteger('histogram', 'bucketCount', bucketCount);
  // In WebAssembly (series-kernels.ts): the Diagnoser buckets a few histograms a run, as cold
  // code, which in JavaScript ran interpreted and then compiled twice.
  const { min, max, finiteCount, counts } = bucketFinite(values, bucketCount);
  const nonFiniteCount = values.length - finiteCount;
  const last = bucketCount - 1;
  const width = (max - min) / bucketCount;
  // One loop, not Array.from over the counts with a function: that costs some 4 µs a histogram.
  const buckets: Bucket[] = [];
  for (let i = 0; i < bucketCount; i++) {
    if (finiteCount === 0) buckets.push({ left: 0, right: 0, count: 0 });
    else if (min === max)
      buckets.push({ left: min, right: min, count: i === last ? finiteCount : 0 });
    else {
      // Edges as numpy.linspace(min, max, k + 1) computes them, the last one pinned to max.
      const right = i === last ? max : (i + 1) * width + min;
      buckets.push({ left: i * width + min, right, count: counts[i] });
    }
  }
  return { buckets, nonFiniteCount };
}

/** The buckets of `computeHistogram`, for callers that do not track non-finite values. */
export function histogramBuckets(
  values: ArrayLike<number>,
  bucketCount = DEFAULT_BUCKET_COUNT,
): Bucket[] {
  return computeHistogram(values, bucketCount).buckets;
}

/** Metadata marking a summary value as a histogram. */
export function histogramMetadata(): SummaryMetadataMessage {
  return { pluginData: { pluginName: HISTOGRAMS_PLUGIN_NAME }, dataClass: DataClass.TENSOR };
}

/** The Summary.Value that records `buckets` under `tag`. */
export function histogramSummaryValue(
  tag: string,
  buckets: readonly Bucket[],
): SummaryValueMessage {
  const rows = buckets.flatMap((bucket) => [bucket.left, bucket.right, bucket.count]);
  const tensor = realTensor(DataType.DT_DOUBLE, [buckets.length, 3], rows);
  return { tag, metadata: histogramMetadata(), tensor };
}

/** Whether a value belongs to the histograms plugin, by its metadata or its legacy form. */
export function isHistogramSummary(value: SummaryValueMessage): boolean {
  return (
    value.histo !== undefined || value.metadata?.pluginData?.pluginName === HISTOGRAMS_PLUGIN_NAME
  );
}

/**
 * The buckets a histogram summary value holds: its [k, 3] float tensor, or its legacy
 * HistogramProto. Returns undefined when the value has neither form.
 */
export function readHistogramValue(value: SummaryValueMessage): Bucket[] | undefined {
  if (value.histo !== undefined) return bucketsFromHistogramProto(value.histo);
  if (value.tensor === undefined) return undefined;
  const shape = tensorShape(value.tensor);
  const rows = realTensorValues(value.tensor);
  if (rows === undefined || shape.length !== 2 || shape[1] !== 3) return undefined;
  return Array.from({ length: shape[0] }, (_, i) => ({
    left: rows[3 * i],
    right: rows[3 * i + 1],
    count: rows[3 * i + 2],
  }));
}

/**
 * Converts a legacy HistogramProto as TensorBoard's data_compat.py does: empty buckets at both
 * ends are dropped; the first kept bucket starts at `min` (not at the previous limit) and the
 * last one ends at `max`; the others span (previous limit, own limit]. data_compat.py rounds
 * to float32 here; we keep float64, as TensorBoard's Rust data server does. Returns undefined
 * when `bucket` and `bucket_limit` differ in length.
 */
export function bucketsFromHistogramProto(histo: HistogramMessage): Bucket[] | undefined {
  const limits = histo.bucketLimit ?? [];
  const counts = histo.bucket ?? [];
  if (limits.length !== counts.length) return undefined;
  const start = counts.findIndex((count) => count > 0);
  if (start === -1) return [];
  let end = counts.length - 1;
  while (counts[end] <= 0) end--;
  const buckets: Bucket[] = [];
  for (let i = start; i <= end; i++) {
    buckets.push({
      left: i === start ? (histo.min ?? 0) : limits[i - 1],
      right: i === end ? (histo.max ?? 0) : limits[i],
      count: counts[i],
    });
  }
  return buckets;
}
