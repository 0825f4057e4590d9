/** Histogram probes into a MemoryProvider run, TeeSink fan-out, and a RunWriter round trip. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { GradientProbes } from '../../src/probe/gradient-probes.js';
import { TeeSink } from '../../src/probe/sink.js';
import type { ProbeIntervals } from '../../src/probe/intervals.js';
import type { RecordSink } from '../../src/probe/sink.js';
import { formulaDataset, threeLayerModel, memoryRun, readRun, RUN } from './support.js';

const data = formulaDataset(8, 3, 2);

test('histograms of weights, gradients and activations count every element', async () => {
  const model = threeLayerModel();
  const { provider, sink } = memoryRun();
  const probes = new GradientProbes({ sink, every: { histograms: 1 }, bucketCount: 7 });
  model.fit(data, { batchSize: 8, shuffle: false, callbacks: [probes] });
  const expectations: [string, number, number[]][] = [
    ['weights/dense_1/kernel', 3 * 5, [0, 1]],
    ['weights/dense_3/bias', 2, [0, 1]],
    ['gradients/dense_2/kernel', 5 * 4, [0]],
    ['activations/dense_1', 8 * 5, [0]],
    ['activations/dense_3', 8 * 2, [0]],
  ];
  const records = await readRun(provider);
  for (const [tag, size, steps] of expectations) {
    const series = records.histogramSeries(tag);
    assert.deepEqual(
      series.map((h) => h.step),
      steps,
      tag,
    );
    for (const { buckets } of series) {
      assert.equal(buckets.length, 7, tag);
      assert.equal(
        buckets.reduce((sum, b) => sum + b.count, 0),
        size,
        tag,
      );
    }
  }
  // The last activation histogram spans exactly the output's range.
  const a = model.layers[2].output!.toArray();
  const [buckets] = records.histogramSeries('activations/dense_3').map((h) => h.buckets);
  assert.equal(buckets[0].left, Math.min(...a));
  assert.equal(buckets[6].right, Math.max(...a));
});

test('parameter histograms carry the Σx² the norms measured of their values, and no other', () => {
  for (const measuring of [true, false]) {
    const seen: { tag: string; step: number; squares: number; given: number | undefined }[] = [];
    const sink: RecordSink = {
      scalar: () => undefined,
      histogram: (tag, values, step, options) => {
        // The values' own Σx², taken now: the caller reuses its arrays.
        const squares = Array.from(values).reduce((sum, x) => sum + x * x, 0);
        seen.push({ tag, step, squares, given: options?.sumOfSquares });
      },
    };
    const every: ProbeIntervals = measuring
      ? { histograms: 1 }
      : { histograms: 1, norms: 'never', updates: 'never' };
    const probes = new GradientProbes({ sink, every });
    threeLayerModel().fit(data, { batchSize: 8, shuffle: false, callbacks: [probes] });
    for (const { tag, step, squares, given } of seen) {
      // Measured: every gradient's and every weights' (the initial ones in a pass of their own).
      const expected = measuring && !tag.startsWith('activations/');
      assert.equal(given !== undefined, expected, `${tag} at ${step}: Σx² given`);
      if (given !== undefined) {
        assert.ok(Math.abs(given - squares) <= 1e-6 * squares, `${tag}: ${given}, ${squares}`);
      }
    }
    assert.ok(seen.some(({ tag, step }) => tag.startsWith('weights/') && step > 0));
  }
});

test('TeeSink passes every record to each sink', async () => {
  const calls: string[] = [];
  const logger: RecordSink = {
    scalar: (tag, value, step) => calls.push(`s ${tag} ${value} ${step}`),
    histogram: (tag, values, step, options) =>
      calls.push(`h ${tag} ${values.length} ${step} ${options?.bucketCount}`),
  };
  const { provider, sink: memory } = memoryRun();
  const tee = new TeeSink([memory, logger]);
  tee.scalar('loss', 0.5, 3);
  tee.histogram('weights/w', [1, 2, 3], 4, { bucketCount: 2 });
  assert.deepEqual(calls, ['s loss 0.5 3', 'h weights/w 3 4 2']);
  const records = await readRun(provider);
  assert.deepEqual(records.series('loss'), [{ step: 3, value: 0.5 }]);
  assert.deepEqual(records.histogramSeries('weights/w'), [
    {
      step: 4,
      buckets: [
        { left: 1, right: 2, count: 1 },
        { left: 2, right: 3, count: 2 },
      ],
    },
  ]);
});

test('a RunWriter is a RecordSink: probe records read back from the event file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-probe-'));
  try {
    const writer = new RunWriter(dir);
    const memory = memoryRun();
    const probes = new GradientProbes({
      sink: new TeeSink([memory.sink, writer]),
      every: { histograms: 1 },
    });
    threeLayerModel().fit(data, { batchSize: 4, callbacks: [probes] });
    writer.close();
    const provider = new DirectoryProvider(dir);
    const tag = 'grad_norm/dense_2/kernel';
    const read = await provider.readScalars('.', tag);
    const expected = await memory.provider.readScalars(RUN, tag);
    assert.deepEqual(
      read.map(({ step, value }) => ({ step, value })),
      expected.map(({ step, value }) => ({ step, value })),
    );
    const histograms = await provider.readHistograms('.', 'weights/dense_1/kernel');
    assert.deepEqual(
      histograms.map((h) => h.step),
      [0, 1, 2],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
