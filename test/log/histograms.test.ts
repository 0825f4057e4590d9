import test from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketsFromHistogramProto,
  computeHistogram,
  histogramBuckets,
  type Bucket,
} from '../../src/log/histograms.js';

const rows = (buckets: Bucket[]): number[][] => buckets.map((b) => [b.left, b.right, b.count]);

// Reference rows below were produced with numpy 2.4 by a transcription of TensorBoard's
// `histogram_pb` (tensorboard/plugins/histogram/summary_v2.py): floor((x - min) / width) clamped
// to k - 1, edges = np.linspace(min, max, k + 1), printed with repr().

test('buckets 200 values into 9 buckets as TensorBoard does', () => {
  const values = Array.from({ length: 200 }, (_, i) => ((i * 7919) % 1000) / 64 - 5);
  assert.deepEqual(rows(histogramBuckets(values, 9)), [
    [-5.0, -3.286458333333333, 23],
    [-3.286458333333333, -1.5729166666666665, 22],
    [-1.5729166666666665, 0.140625, 21],
    [0.140625, 1.854166666666667, 22],
    [1.854166666666667, 3.567708333333334, 23],
    [3.567708333333334, 5.28125, 21],
    [5.28125, 6.994791666666668, 22],
    [6.994791666666668, 8.708333333333334, 22],
    [8.708333333333334, 10.421875, 24],
  ]);
});

test('puts the maximum in the last bucket and gets inexact edges right', () => {
  assert.deepEqual(rows(histogramBuckets([0.1, 0.7, 0.3, 0.3, 0.9, -0.2], 3)), [
    [-0.2, 0.16666666666666669, 2],
    [0.16666666666666669, 0.5333333333333334, 2],
    [0.5333333333333334, 0.9, 2],
  ]);
});

test('buckets a Float32Array as float64 values of its float32 elements', () => {
  const values = Float32Array.from([0.1, 0.7, 0.3, 0.3, 0.9, -0.2]);
  assert.deepEqual(rows(histogramBuckets(values, 4)), [
    [-0.20000000298023224, 0.07499999180436134, 1],
    [0.07499999180436134, 0.3499999865889549, 3],
    [0.3499999865889549, 0.6249999813735485, 0],
    [0.6249999813735485, 0.8999999761581421, 2],
  ]);
});

test('uses 30 buckets by default', () => {
  const buckets = histogramBuckets([1, 2, 3, 4]);
  assert.equal(buckets.length, 30);
  assert.equal(
    buckets.reduce((sum, b) => sum + b.count, 0),
    4,
  );
});

test('empty input gives k all-zero buckets (current TensorBoard)', () => {
  assert.deepEqual(rows(histogramBuckets([], 3)), [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ]);
});

test('all-equal input gives k zero-width buckets, the last holding every value', () => {
  // numpy reference: histogram_pb([1.5, 1.5, 1.5], buckets=4).
  assert.deepEqual(rows(histogramBuckets([1.5, 1.5, 1.5], 4)), [
    [1.5, 1.5, 0],
    [1.5, 1.5, 0],
    [1.5, 1.5, 0],
    [1.5, 1.5, 3],
  ]);
});

test('non-finite values are counted and left out of the buckets', () => {
  const values = [NaN, 0.1, Infinity, 0.7, 0.3, 0.3, -Infinity, 0.9, -0.2];
  const { buckets, nonFiniteCount } = computeHistogram(values, 3);
  assert.equal(nonFiniteCount, 3);
  assert.deepEqual(rows(buckets), rows(histogramBuckets([0.1, 0.7, 0.3, 0.3, 0.9, -0.2], 3)));
  const onlyNaN = computeHistogram(Float32Array.from([NaN, NaN]), 2);
  assert.deepEqual(onlyNaN, {
    buckets: [
      { left: 0, right: 0, count: 0 },
      { left: 0, right: 0, count: 0 },
    ],
    nonFiniteCount: 2,
  });
});

test('reads each input value once, into the WebAssembly memory it is bucketed in', () => {
  const data = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i));
  const reads = new Array<number>(data.length).fill(0);
  const counting = new Proxy(data, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads[Number(key)]++;
      return Reflect.get(target, key);
    },
  });
  const buckets = histogramBuckets(counting, 5);
  assert.deepEqual(reads, new Array<number>(data.length).fill(1));
  assert.deepEqual(buckets, histogramBuckets(data, 5));
});

test('rejects a bucket count that is not a positive integer', () => {
  assert.throws(() => histogramBuckets([1, 2], 0), {
    message: 'histogram: bucketCount must be a positive integer. Received: bucketCount=0',
  });
  assert.throws(() => histogramBuckets([1, 2], 2.5), /Received: bucketCount=2.5/);
});

test('converts a legacy HistogramProto as data_compat.py does', () => {
  // Expected rows worked out by hand from data_compat.py's rules: empty end buckets dropped,
  // first left edge = min, last right edge = max, others from bucket_limit.
  const histo = {
    min: -0.5,
    max: 2.5,
    bucketLimit: [-1, 0, 1, 2, 3, 4],
    bucket: [0, 3, 0, 5, 2, 0],
  };
  assert.deepEqual(rows(bucketsFromHistogramProto(histo) ?? []), [
    [-0.5, 0, 3],
    [0, 1, 0],
    [1, 2, 5],
    [2, 2.5, 2],
  ]);
  const single = { min: 0.25, max: 0.75, bucketLimit: [0, 1, 2], bucket: [0, 4, 0] };
  assert.deepEqual(rows(bucketsFromHistogramProto(single) ?? []), [[0.25, 0.75, 4]]);
  assert.deepEqual(bucketsFromHistogramProto({ bucketLimit: [1, 2], bucket: [0, 0] }), []);
  assert.equal(bucketsFromHistogramProto({ bucketLimit: [1, 2], bucket: [1] }), undefined);
});
