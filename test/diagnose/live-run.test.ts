/** The live Diagnoser's record store against a MemoryRun fed the same records. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { LiveRun } from '../../src/diagnose/live-run.js';
import { firstLastGradients, globalGradientNorm } from '../../src/diagnose/rules/gradient-norms.js';
import { poorInitialization } from '../../src/diagnose/rules/poor-initialization.js';
import {
  buildRunData,
  type HistogramSeries,
  type RunData,
  type Series,
} from '../../src/diagnose/run-data.js';
import { computeHistogram } from '../../src/log/histograms.js';
import { MemoryRun } from '../../src/log/memory-provider.js';
import { diagnoseData } from '../../src/diagnose/diagnose.js';
import { loadRunData } from '../../src/diagnose/run-data.js';
import type { Verdict } from '../../src/diagnose/rule.js';
import type { HistogramPoint, ScalarColumns } from '../../src/log/points.js';
import { oneRun, range } from './support.js';

test('a LiveRun holds what a MemoryRun holds, whatever order the tags come in', () => {
  const live = new LiveRun();
  const memory = new MemoryRun();
  const both = (tag: string, value: number, step: number) => {
    live.scalar(tag, value, step);
    memory.scalar(tag, value, step, 0);
  };
  for (let step = 0; step < 300; step++) {
    both('loss', 1 / (step + 1), step);
    for (let k = 0; k < 3; k++) both(`grad_norm/d${k}/kernel`, step * 0.1 + k, step);
    // A group every 7 steps, and one that starts late: the sequence changes under the store.
    if (step % 7 === 0) both('activation_std/d0', Math.sin(step), step);
    if (step >= 150) both('late/tag', step, step);
    // The same tag twice in one step, and a value that float32 rounds.
    both('nonfinite/gradients', step === 200 ? NaN : 0, step);
    if (step % 50 === 0) both('nonfinite/gradients', 0.1, step);
    // The rules read the run now and then: the columns grow with records already in them.
    if (step % 37 === 0) live.contents('r');
  }
  const contents = live.contents('r');
  const tags = memory.tags();
  assert.deepEqual(contents.tags.order, tags.order);
  assert.deepEqual(contents.tags.scalars, tags.scalars);
  for (const tag of tags.scalars) {
    const expected = memory.scalarSeries.get(tag)!.columns();
    const actual = contents.scalars.get(tag)!;
    assert.deepEqual([...actual.steps], [...expected.steps], tag);
    assert.deepEqual([...actual.values], [...expected.values], tag);
    assert.deepEqual([...actual.wallTimes], [...expected.wallTimes], tag);
  }
  live.scalar('loss', 5, 300);
  assert.equal(live.contents('r').scalars.get('loss')!.steps.length, 301);
});

test('scalar groups keep what the same records one by one keep, mixed with single records', () => {
  const grouped = new LiveRun();
  const single = new LiveRun();
  const norms = ['grad_norm/d0/kernel', 'grad_norm/d1/kernel', 'nonfinite/gradients'];
  const group = grouped.scalarGroup(norms);
  // More records than the log's first capacity (4096): the log grows under group writes.
  for (let step = 0; step < 2000; step++) {
    for (const run of [grouped, single]) run.scalar('loss', 1 / (step + 1), step);
    const values = [step * 0.1, step * 0.2, step === 1500 ? 3 : 0, 99]; // the 4th is not a tag's
    group.write(values, step, 0);
    norms.forEach((tag, k) => single.scalar(tag, values[k], step));
    assert.equal(grouped.nonFiniteArrived(), single.nonFiniteArrived(), `step ${step}`);
    if (step % 333 === 0) grouped.contents('r');
  }
  const a = grouped.contents('r');
  const b = single.contents('r');
  assert.deepEqual(a.tags.order, b.tags.order);
  for (const tag of b.tags.scalars) {
    assert.deepEqual([...a.scalars.get(tag)!.steps], [...b.scalars.get(tag)!.steps], tag);
    assert.deepEqual([...a.scalars.get(tag)!.values], [...b.scalars.get(tag)!.values], tag);
  }
});

test('a LiveRun keeps every histogram until its stand-in scalars come, then the first and the non-finite', () => {
  const live = new LiveRun();
  const bucketCounts = (entry: HistogramPoint[] | (() => HistogramPoint[])) =>
    (typeof entry === 'function' ? entry() : entry).map((p) => [
      p.step,
      p.buckets.map((b) => b.count),
    ]);
  live.histogram('weights/d/kernel', [0, 1, 2, 3], 0, { bucketCount: 2 });
  live.histogram('activations/d', [5, 6], 0);
  live.histogram('weights/d/kernel', [1, 1, 1, 4], 100, { bucketCount: 2 });
  // No weight norm or update ratio yet: the rules read every weights histogram.
  assert.deepEqual(bucketCounts(live.contents('r').histograms.get('weights/d/kernel')!), [
    [0, [2, 2]],
    [100, [3, 1]],
  ]);
  live.scalar('weight_norm/d/kernel', 1, 150);
  live.scalar('update_ratio/d/kernel', 1e-3, 150);
  live.histogram('weights/d/kernel', [2, 2, 2, 8], 200, { bucketCount: 2 });
  live.histogram('weights/d/kernel', [3, 3, 3, 9], 300, { bucketCount: 2 });
  const { tags, histograms } = live.contents('r');
  assert.deepEqual(tags.histograms, ['weights/d/kernel']);
  // Then the scalars stand in: the first, and no finite one after it.
  const entry = histograms.get('weights/d/kernel')!;
  assert.equal(typeof entry, 'function');
  assert.deepEqual(bucketCounts(entry), [[0, [2, 2]]]);
  // Of the later ones, the first and the latest that hold a NaN or ±Infinity, bucketed when read.
  for (const step of [400, 500, 600, 700]) {
    const bad = step === 400 ? NaN : step === 600 ? Infinity : step === 700 ? -Infinity : 4;
    live.histogram('weights/d/kernel', [3, 3, 3, bad], step, { bucketCount: 2 });
  }
  const read = live.contents('r').histograms.get('weights/d/kernel') as () => HistogramPoint[];
  assert.deepEqual(
    read().map((p) => [p.step, p.buckets]),
    [0, 400, 700].map((step) => {
      const values = step === 0 ? [0, 1, 2, 3] : [3, 3, 3, step === 400 ? NaN : -Infinity];
      return [step, computeHistogram(values, 2).buckets];
    }),
  );
  // A gradient histogram with its norm logged first keeps every histogram while no layer's
  // dead fraction has come (dead_relu reads them all then), and after that the first and the
  // non-finite ones.
  live.scalar('grad_norm_sq/d/kernel', 4, 0);
  for (const step of [0, 100, 150]) live.histogram('gradients/d/kernel', [step, 1], step);
  assert.deepEqual(
    bucketCounts(live.contents('r').histograms.get('gradients/d/kernel')!).map(([step]) => step),
    [0, 100, 150],
  );
  live.scalar('dead_fraction/d', 0, 150);
  for (const step of [200, 300]) live.histogram('gradients/d/kernel', [step, 1], step);
  live.histogram('gradients/d/kernel', [NaN, 1], 350);
  const gradients = live.contents('r').histograms.get('gradients/d/kernel')!;
  assert.deepEqual(
    bucketCounts(gradients).map(([step]) => step),
    [0, 350],
  );
  live.scalar('grad_norm_sq/d/bias', 4, 0);
  for (const step of [0, 100, 200]) live.histogram('gradients/d/bias', [step, 1], step);
  assert.deepEqual(
    bucketCounts(live.contents('r').histograms.get('gradients/d/bias')!).map(([step]) => step),
    [0],
  );
});

test('a replaced histogram with a finite Σx² from its caller is not looked at; a non-finite one is', () => {
  const looked: number[] = [];
  const allFinite = (values: ArrayLike<number>): boolean => {
    looked.push(values.length);
    return Array.from(values).every(Number.isFinite);
  };
  const live = new LiveRun(undefined, allFinite);
  live.histogram('weights/d/kernel', [0, 1, 2], 0, { bucketCount: 2 });
  live.scalar('weight_norm/d/kernel', 1, 0);
  live.scalar('update_ratio/d/kernel', 1e-3, 0);
  live.histogram('weights/d/kernel', [1, 2, 3, 4], 100, { sumOfSquares: 30 });
  assert.deepEqual(looked, [], 'a finite Σx² tells the values are finite');
  live.histogram('weights/d/kernel', [1, NaN, 3, 4, 5], 200, { sumOfSquares: NaN });
  live.histogram('weights/d/kernel', [1, 2, 3, 4, 5, 6], 300);
  assert.deepEqual(looked, [5, 6], 'without a finite Σx², the pass looks');
  const read = live.contents('r').histograms.get('weights/d/kernel') as () => HistogramPoint[];
  assert.deepEqual(
    read().map((p) => p.step),
    [0, 200],
    'the NaN one is kept',
  );
});

test('replaced histograms keep what unchanged_weights and nonfinite read: their verdicts as on the written run', async () => {
  // d0's weights are zero, so its update ratios are 0/0 = NaN and unchanged_weights compares
  // its first and last weights histograms; d1's gradients go NaN at step 250 and stay so.
  const live = new LiveRun();
  const provider = oneRun(() => undefined);
  const memory = provider.run('run');
  const scalar = (tag: string, value: number, step: number) => {
    live.scalar(tag, value, step);
    memory.scalar(tag, value, step, 0);
  };
  const histogram = (tag: string, values: number[], step: number) => {
    live.histogram(tag, values, step);
    memory.histogram(tag, values, step);
  };
  for (let step = 0; step <= 400; step++) {
    scalar('loss', 1 / (step + 1), step);
    const d1 = step >= 250 ? NaN : 1 + step / 1000;
    scalar('grad_norm/d0/kernel', 1, step);
    scalar('grad_norm/d1/kernel', d1, step);
    scalar('dead_fraction/d0', 0.1, step);
    scalar('weight_norm/d0/kernel', 0, step);
    scalar('update_ratio/d0/kernel', NaN, step);
    scalar('weight_norm/d1/kernel', 2, step);
    scalar('update_ratio/d1/kernel', 1e-3, step);
    if (step % 100 !== 0) continue;
    histogram('weights/d0/kernel', [0, 0, 0, 0], step);
    histogram('weights/d1/kernel', [1, 2, 3, step], step);
    histogram('gradients/d1/kernel', [0.1, step >= 250 ? NaN : 0.2, 0.3], step);
  }
  const offline = diagnoseData(await loadRunData(provider, { name: 'run', train: 'run' }));
  const online = diagnoseData(live.data('run'));
  // What a verdict says, less the remedy (the live run names gradscope as its writer) and the
  // count of histograms in the evidence (the live run keeps only those the rules read).
  const pick = (verdicts: Verdict[], check: string) =>
    verdicts
      .filter((v) => v.check === check)
      .map(({ layer, severity, firstStep, lastStep, message }) => {
        return { layer, severity, firstStep, lastStep, message };
      });
  for (const check of ['unchanged_weights', 'nonfinite']) {
    assert.deepEqual(pick(online.verdicts, check), pick(offline.verdicts, check), check);
    assert.equal(pick(offline.verdicts, check).length > 0, true, `${check} fires offline`);
  }
  // Kept of d0's weights: the first and the latest (a non-finite record had come); of d1's
  // gradients: the first, and the first and the latest non-finite.
  const steps = (tag: string) =>
    (live.contents('run').histograms.get(tag) as () => HistogramPoint[])().map((p) => p.step);
  assert.deepEqual(steps('weights/d0/kernel'), [0, 400]);
  assert.deepEqual(steps('gradients/d1/kernel'), [0, 300, 400]);
});

test('a group written alone is scanned as it is copied: the same arrivals and counts', () => {
  const grouped = new LiveRun();
  const single = new LiveRun();
  const tags = ['loss', 'grad_norm/d/kernel', 'nonfinite/gradients'];
  const group = grouped.scalarGroup(tags);
  const arrived: number[] = [];
  for (let step = 0; step < 30; step++) {
    // float32 rounds 1e39 to Infinity, as an event file stores it.
    const values = [step === 5 ? NaN : 1, step === 9 ? 1e39 : 2, step === 12 ? 3 : 0];
    group.write(values, step, 0);
    tags.forEach((tag, k) => single.scalar(tag, values[k], step));
    const found = grouped.nonFiniteArrived();
    assert.equal(found, single.nonFiniteArrived(), `step ${step}`);
    if (found) arrived.push(step);
    if (step === 20) grouped.contents('r');
  }
  assert.deepEqual(arrived, [5, 9, 12]);
  const a = grouped.contents('r');
  const b = single.contents('r');
  for (const tag of tags) {
    assert.deepEqual([...a.scalars.get(tag)!.values], [...b.scalars.get(tag)!.values], tag);
    assert.equal(grouped.scalarCount(tag), 30, tag);
  }
});

test('a LiveRun tells, step by step, when a non-finite value or count arrived', () => {
  const live = new LiveRun();
  const arrived: number[] = [];
  for (let step = 0; step < 40; step++) {
    live.scalar('loss', step === 7 ? NaN : 1, step);
    // float32 rounds 1e39 to Infinity, as an event file stores it.
    live.scalar('grad_norm/d/kernel', step === 21 ? 1e39 : 2, step);
    live.scalar('nonfinite/gradients', step === 30 ? 3 : 0, step);
    live.scalar('nonfinite/loss', 0, step);
    if (step === 15) live.contents('r');
    if (live.nonFiniteArrived()) arrived.push(step);
  }
  assert.deepEqual(arrived, [7, 21, 30]);
  const { scalars } = live.contents('r');
  assert.equal(scalars.get('grad_norm/d/kernel')!.values[21], Infinity);
  assert.equal(live.scalarCount('loss'), 40);
  assert.equal(live.scalarCount('val_loss'), 0);
});

test('tags the rules do not read wait in the log and come out whole when read', () => {
  const live = new LiveRun();
  const memory = new MemoryRun();
  const tags = ['loss', 'weight_norm/d0/kernel', 'signal_norm/d0', 'grad_norm/d0/kernel'];
  const group = live.scalarGroup(tags);
  // 4 records a step for 300,000 steps: past the log's limit of 2²⁰ records, with tags waiting.
  for (let step = 0; step < 300_000; step++) {
    const values = [1 / (step + 1), step, step % 7, Math.fround(step * 0.5)];
    group.write(values, step, 0);
    if (step % 1000 === 0) values.forEach((value, i) => memory.scalar(tags[i], value, step, 0));
    if (step % 65_536 === 0) {
      // An evaluation that reads `loss` and grad_norm only: the others start waiting.
      const contents = live.contents('r');
      assert.equal(contents.scalars.get('loss')!.values.length, step + 1);
      assert.equal(contents.scalars.get('grad_norm/d0/kernel')!.steps[step], step);
    }
  }
  // A waiting tag read at last: all its records, in order, then the others still right.
  const contents = live.contents('r');
  for (const tag of ['signal_norm/d0', 'weight_norm/d0/kernel', 'loss', 'grad_norm/d0/kernel']) {
    const columns = contents.scalars.get(tag)!;
    assert.equal(columns.steps.length, 300_000, tag);
    const expected = memory.scalarSeries.get(tag)!.columns();
    for (let i = 0; i < expected.steps.length; i++) {
      const step = expected.steps[i];
      assert.equal(columns.steps[step], step, `${tag} step ${step}`);
      assert.equal(columns.values[step], Math.fround(expected.values[i]), `${tag} at ${step}`);
    }
  }
  assert.equal(live.scalarCount('signal_norm/d0'), 300_000);
});

test('single records past the log limit are all kept', () => {
  const live = new LiveRun();
  const n = (1 << 20) + 5;
  for (let step = 0; step < n; step++) live.scalar('loss', step, step);
  const { steps, values } = live.contents('r').scalars.get('loss')!;
  assert.equal(steps.length, n);
  assert.deepEqual([steps[n - 1], values[n - 1]], [n - 1, Math.fround(n - 1)]);
  assert.equal(live.scalarCount('loss'), n);
});

test('groups that share tags, single records and waiting tags keep every record in order', () => {
  const live = new LiveRun();
  const memory = new MemoryRun();
  // As probes with two intervals write: a longer group every 10 steps in place of the shorter.
  const short = ['loss', 'grad_norm/d0/kernel', 'grad_norm/d1/kernel'];
  const long = ['grad_norm/d0/kernel', 'activation_std/d0', 'loss', 'grad_norm/d1/kernel'];
  // And from step 1000 a group with a new tag: its records start later than the others'.
  const late = ['dead_fraction/d0', 'grad_norm/d1/kernel'];
  const groups = [live.scalarGroup(short), live.scalarGroup(long), live.scalarGroup(late)];
  for (let step = 0; step < 3000; step++) {
    const which = step >= 1000 && step % 7 === 0 ? 2 : step % 10 === 0 ? 1 : 0;
    const tags = [short, long, late][which];
    const values = tags.map((_, k) => Math.fround(step + k / 8));
    groups[which].write(values, step, 0);
    tags.forEach((tag, k) => memory.scalar(tag, values[k], step, 0));
    if (step % 50 === 0) {
      live.scalar('val_loss', step, step);
      memory.scalar('val_loss', step, step, 0);
    }
    // Evaluations that read two tags only: the others wait, then one is read in between.
    if (step % 37 === 0) {
      const contents = live.contents('r');
      void contents.scalars.get('loss')!.values;
      void contents.scalars.get('grad_norm/d0/kernel')!.steps;
      if (step === 1850) void contents.scalars.get('activation_std/d0')!.values;
    }
  }
  const contents = live.contents('r');
  const tags = memory.tags();
  assert.deepEqual(contents.tags.order, tags.order);
  for (const tag of tags.scalars) {
    const expected = memory.scalarSeries.get(tag)!.columns();
    const actual = contents.scalars.get(tag)!;
    assert.deepEqual([...actual.steps], [...expected.steps], tag);
    assert.deepEqual([...actual.values], [...expected.values], tag);
    assert.equal(live.scalarCount(tag), expected.steps.length, tag);
  }
});

test('a live run read as the rules copy it: the global norm summed from per-parameter norms', () => {
  // No global_norm/before_clip: the rule sums grad_norm/* step by step into a copy of the
  // first parameter's columns (a spread), which must carry the live columns' steps.
  const live = new LiveRun();
  for (let step = 0; step < 10; step++) {
    live.scalar('loss', 1, step);
    live.scalar('grad_norm/d0/kernel', 3, step);
    live.scalar('grad_norm/d1/kernel', 4, step);
  }
  const global = globalGradientNorm(buildRunData(live.contents('r')))!;
  assert.deepEqual([...global.columns.steps], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...global.columns.values], Array(10).fill(5));
  const copy = { ...live.contents('r').scalars.get('loss')! };
  assert.equal(copy.steps.length, 10);
});

/** What the rules can read of `data`, as plain values: every series' points and histograms. */
function readable(data: RunData): unknown {
  const series = (s: Series | undefined) =>
    s && [s.tag, [...s.columns.steps], [...s.columns.values], s.points];
  const histograms = (h: HistogramSeries | undefined) => h && [h.tag, h.points];
  return {
    ...data,
    loss: series(data.loss),
    validationLoss: series(data.validationLoss),
    globalGradNorm: series(data.globalGradNorm),
    nonfiniteGradients: series(data.nonfiniteGradients),
    scalars: data.scalars.map(series),
    histograms: data.histograms.map(histograms),
    parameters: data.parameters.map((p) => ({
      ...p,
      gradNorm: series(p.gradNorm),
      weightNorm: series(p.weightNorm),
      updateRatio: series(p.updateRatio),
      weights: histograms(p.weights),
      gradients: histograms(p.gradients),
    })),
    layers: data.layers.map((l) => ({
      ...l,
      signalNorm: series(l.signalNorm),
      activationStd: series(l.activationStd),
    })),
    throughTime: data.throughTime.map((t) => ({ ...t, series: series(t.series) })),
  };
}

test("a LiveRun's data, kept while its tags stay, reads what a fresh build reads", () => {
  const live = new LiveRun();
  // The same records into a second run, built afresh from its contents each time.
  const fresh = new LiveRun();
  const both = (write: (run: LiveRun) => void) => [live, fresh].forEach(write);
  const tags = [
    'loss',
    'grad_norm/d0/kernel',
    'grad_norm_sq/d1/kernel',
    'signal_norm_sq/d0',
    'weight_norm/d0/kernel',
  ];
  const groups = [live.scalarGroup(tags), fresh.scalarGroup(tags)];
  const ratios: number[] = [];
  let previous: RunData | null = null;
  for (let step = 0; step < 400; step++) {
    const values = [1 / (step + 1), 1 + step, (step % 9) + 4, step * step, 10 - step / 100];
    groups.forEach((group) => group.write(values, step, 0));
    if (step % 100 === 0) {
      both((run) => run.histogram('weights/d0/kernel', [step, 1, 2], step, { bucketCount: 3 }));
    }
    // Tags that come later: a single record's, then a group's, then a histogram's.
    if (step >= 150) both((run) => run.scalar('val_loss', 2 / step, step));
    if (step === 250)
      both((run) => run.scalarGroup(['update_ratio/d0/kernel']).write([1e-3], step, 0));
    if (step >= 320) both((run) => run.histogram('gradients/d1/kernel', [step, -step], step));
    if (step % 45 === 0) {
      const data = live.data('r');
      assert.notEqual(data, previous, 'a new RunData each evaluation');
      assert.deepEqual(readable(data), readable(buildRunData(fresh.contents('r'))), `step ${step}`);
      const measured = firstLastGradients(data);
      if (typeof measured !== 'string') ratios.push(measured.pairs.steps.length);
      previous = data;
    }
  }
  // What the rules compute once per RunData is computed again at each evaluation.
  assert.deepEqual(ratios, [1, 46, 91, 136, 181, 226, 271, 316, 361]);
});

test('the gradient ratio rules read only the first and last kernels’ norms', () => {
  const steps = Float64Array.from(range(20, (i) => i));
  const columns = (scale: number): ScalarColumns => ({
    steps,
    wallTimes: new Float64Array(20),
    values: Float64Array.from(range(20, (i) => scale * (i + 1))),
  });
  const tags = [
    'grad_norm/d0/kernel',
    'grad_norm/d0/bias',
    'grad_norm/d1/kernel',
    'grad_norm/d2/kernel',
    'grad_norm/d3/kernel',
    'grad_norm/d3/bias',
  ];
  const contents = (names: string[]) => ({
    name: 'r',
    tags: { scalars: [...names].sort(), histograms: [], texts: [], order: names },
    scalars: new Map(names.map((tag, k) => [tag, columns(10 ** k)])),
    histograms: new Map(),
  });
  // Each series' reads counted: a live run moves only the records of the tags read.
  const read = new Set<string>();
  const counted = (data: RunData): RunData => ({
    ...data,
    parameters: data.parameters.map((p) => {
      const norm = p.gradNorm!;
      const series: Series = {
        tag: norm.tag,
        get columns() {
          read.add(norm.tag);
          return norm.columns;
        },
        get points() {
          read.add(norm.tag);
          return norm.points;
        },
      };
      return { ...p, gradNorm: series };
    }),
  });
  const measured = firstLastGradients(counted(buildRunData(contents(tags))));
  assert.ok(typeof measured !== 'string');
  assert.deepEqual([measured.first.name, measured.last.name], ['d0/kernel', 'd3/kernel']);
  // d0/kernel's norms are 1, 2, …, d3/kernel's 10⁴ times those: the ratio is 10⁻⁴ at every step.
  assert.equal(measured.ratio, 1e-4);
  assert.deepEqual([...read].sort(), ['grad_norm/d0/kernel', 'grad_norm/d3/kernel']);
  // One kernel: the count in the reason is exact.
  const one = firstLastGradients(
    buildRunData(contents(['grad_norm/d0/bias', 'grad_norm/d1/kernel'])),
  );
  assert.match(String(one), /for at least two \(found 1\)/);
});

test('kept histograms bucket on read what was recorded, though the caller reuses its array', () => {
  const live = new LiveRun();
  // The engine's tensors keep their arrays: each record's values are overwritten after it.
  const values = new Float32Array(6);
  const recorded = new Map<number, number[]>();
  const record = (step: number, withNaN = false) => {
    values.forEach((_, i) => (values[i] = Math.sin(step + i) * (step + 1)));
    if (withNaN) values[2] = NaN;
    recorded.set(step, [...values]);
    live.histogram('weights/d/kernel', values, step, { bucketCount: 3 });
  };
  record(0);
  live.scalar('weight_norm/d/kernel', 1, 0);
  live.scalar('update_ratio/d/kernel', 1e-3, 1);
  // Kept after the stand-ins: a histogram with a non-finite value (a NaN at steps 200–400).
  const nanAt = new Set([200, 300, 400]);
  for (const step of [100, 200, 300]) record(step, nanAt.has(step));
  const eager = (step: number) => computeHistogram(recorded.get(step)!, 3).buckets;
  const read = () =>
    (live.contents('r').histograms.get('weights/d/kernel') as () => HistogramPoint[])();
  let points = read();
  assert.deepEqual(
    points.map((p) => p.step),
    [0, 200, 300],
  );
  // Read after later records overwrote the caller's array, and after a later non-finite one came.
  values.fill(7);
  record(400, true);
  assert.deepEqual(points[0].buckets, eager(0));
  assert.deepEqual(points[1].buckets, eager(200));
  points = read();
  assert.deepEqual(
    points.map((p) => [p.step, p.wallTime, p.buckets]),
    [
      [0, 0, eager(0)],
      [200, 0, eager(200)],
      [400, 0, eager(400)],
    ],
  );
  // Read twice: the same buckets, computed once.
  assert.equal(points[2].buckets, points[2].buckets);
});

test('a tag written in a group and as single records in between keeps both, in step order', () => {
  const live = new LiveRun();
  const memory = new MemoryRun();
  // update_ratio/* are in this group alone; weight_norm/d0/kernel also comes as single records
  // from step 500 to 700, between group writes, so that its records interleave two sources.
  const tags = ['weight_norm/d0/kernel', 'update_ratio/d0/kernel', 'update_ratio/d0/bias'];
  const group = live.scalarGroup(tags);
  for (let step = 0; step < 1200; step++) {
    const values = tags.map((_, k) => Math.fround(step * 0.25 + k));
    group.write(values, step, 0);
    tags.forEach((tag, k) => memory.scalar(tag, values[k], step, 0));
    if (step >= 500 && step < 700 && step % 3 === 0) {
      live.scalar('weight_norm/d0/kernel', -step, step);
      memory.scalar('weight_norm/d0/kernel', -step, step, 0);
    }
    if (step % 64 === 63) {
      const { scalars } = live.contents('r');
      for (const tag of tags) void scalars.get(tag)!.values;
    }
  }
  const { scalars } = live.contents('r');
  for (const tag of tags) {
    const expected = memory.scalarSeries.get(tag)!.columns();
    assert.deepEqual([...scalars.get(tag)!.steps], [...expected.steps], tag);
    assert.deepEqual([...scalars.get(tag)!.values], [...expected.values], tag);
  }
});

test('poor_initialization keeps its outcome while a live run’s tags stay, and only then', () => {
  const live = new LiveRun();
  const wide = Float32Array.from(range(400, (i) => ((i % 20) - 10) * 2)); // variance 133
  live.histogram('weights/d0/kernel', wide, 0);
  live.histogram(
    'weights/d1/kernel',
    wide.map((v) => v / 1000),
    0,
  ); // variance 1.3e-4
  const limits = { minVariance: 1e-5, maxVariance: 10, activationRatio: 1e3 };
  const layers = (outcome: ReturnType<typeof poorInitialization.check>) =>
    'verdicts' in outcome ? outcome.verdicts.map((v) => v.layer) : outcome.skipped;
  const first = poorInitialization.check(live.data('r'), limits);
  assert.deepEqual(layers(first), ['d0/kernel']);
  live.scalar('loss', 1, 1);
  const sameTags = live.data('r');
  void sameTags.loss;
  // The tags changed (loss is new): found anew, the same; then kept, for the same limits only.
  const again = poorInitialization.check(sameTags, limits);
  assert.deepEqual(layers(again), ['d0/kernel']);
  assert.equal(poorInitialization.check(live.data('r'), limits), again, 'kept');
  const stricter = { ...limits, minVariance: 1e-3 };
  assert.deepEqual(layers(poorInitialization.check(live.data('r'), stricter)), [
    'd0/kernel',
    'd1/kernel',
  ]);
  // A fresh build of the same contents has lists of its own: found anew, the same.
  const fresh = buildRunData(live.contents('r'));
  assert.deepEqual(poorInitialization.check(fresh, limits), again);
  assert.notEqual(poorInitialization.check(fresh, limits), again);
});
