/** The adding problem: its data, the through-time records, and the experiment end to end. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { l2Norm } from '../../src/engine/norms.js';
import type { ProgressSink } from '../../src/experiments/progress.js';
import { addingProblem, baselineMse } from '../../src/experiments/sequence/data.js';
import { sequenceExperiment } from '../../src/experiments/sequence/index.js';
import { SEQUENCE_MODELS } from '../../src/experiments/sequence/model.js';
import { readSequenceResult, sequenceRunName } from '../../src/experiments/sequence/results.js';
import { taskData } from '../../src/experiments/sequence/task.js';
import { ThroughTimeProbe } from '../../src/probe/recorders/through-time.js';
import { runSequence } from '../../src/experiments/sequence/train.js';
import { buildSequenceModel } from '../../src/experiments/sequence/model.js';
import { MemoryProvider } from '../../src/log/memory-provider.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunDirectory } from '../../src/log/run-dir.js';

test('adding problem: two markers, one per half; the target is the sum of the marked values', () => {
  const T = 9,
    count = 200;
  const { x, y } = addingProblem(count, T, 5);
  for (let s = 0; s < count; s++) {
    const marked: number[] = [];
    for (let t = 0; t < T; t++) {
      const value = x[(s * T + t) * 2],
        marker = x[(s * T + t) * 2 + 1];
      assert.ok(value >= 0 && value < 1, `value ${value}`);
      assert.ok(marker === 0 || marker === 1, `marker ${marker}`);
      if (marker === 1) marked.push(t);
    }
    assert.equal(marked.length, 2, `sample ${s} has two markers`);
    assert.ok(marked[0] < Math.floor(T / 2) && marked[1] >= Math.floor(T / 2), `halves ${marked}`);
    const sum = x[(s * T + marked[0]) * 2] + x[(s * T + marked[1]) * 2];
    assert.ok(Math.abs(y[s] - sum) < 1e-6);
  }
  assert.deepEqual(addingProblem(3, T, 5).x, addingProblem(3, T, 5).x, 'seeded');
  assert.throws(
    () => addingProblem(3, 1, 0),
    /timesteps must be at least 2.*Received: timesteps=1/,
  );
});

test('the mean predictor scores the variance of the targets, 2/12 for U[0,1] pairs', () => {
  assert.ok(Math.abs(baselineMse([1, 2, 3, 4]) - 1.25) < 1e-12);
  const { y } = addingProblem(20000, 10, 6);
  assert.ok(Math.abs(baselineMse(y) - 2 / 12) < 0.005, `${baselineMse(y)}`);
});

test('through-time records at a chosen step are the norms of hiddenGrads and cellGrads', async () => {
  for (const model of SEQUENCE_MODELS) {
    const T = 6;
    const { model: net, recurrent } = buildSequenceModel({
      model,
      timesteps: T,
      units: 4,
      learningRate: 0.01,
      seed: 1,
    });
    const memory = new MemoryProvider();
    const sink = memory.run('.');
    const series = async (tag: string) => memory.readScalars('.', tag);
    const { dataset } = addingProblem(64, T, 7);
    net.fit(dataset, { batchSize: 16, callbacks: [new ThroughTimeProbe({ sink, at: [1, 3] })] });
    const layer = recurrent.name!;
    assert.deepEqual(
      (await series(`through_time/${layer}/step_1`)).map((p) => p.step),
      [1, 2, 3, 4, 5, 6],
    );
    // The last step (3) is the one whose gradients the layer still holds.
    const recorded = (await series(`through_time/${layer}/step_3`)).map((p) => p.value);
    const hGrads = recurrent.hiddenGrads!;
    // Scalars are stored as float32, in memory as in event files.
    const expected = Array.from({ length: T }, (_, t) => Math.fround(l2Norm(hGrads.slab(t))));
    assert.deepEqual(recorded, expected, model);
    assert.equal((await series(`through_time/${layer}/step_2`)).length, 0, 'only chosen steps');
    const cells = await series(`through_time_cell/${layer}/step_3`);
    assert.equal(cells.length, model === 'lstm' ? T : 0, `${model} cell records`);
  }
});

test('a run reads back through a MemoryProvider: test and baseline MSE, both profiles', async () => {
  const provider = new MemoryProvider();
  const task = { timesteps: 5, units: 4, steps: 6, batchSize: 8, learningRate: 0.01 };
  const data = taskData({ ...task, testSamples: 40, seed: 0 });
  const run = runSequence({
    ...task,
    ...data,
    model: 'lstm',
    seed: 0,
    sink: provider.run(sequenceRunName('lstm', 5)),
  });
  const result = await readSequenceResult(provider, run);
  assert.equal(result.baselineMse, Math.fround(baselineMse(data.test.y)));
  assert.ok(result.testMse > 0);
  assert.equal(result.loss.length, 6);
  for (const profile of [result.before, result.after, result.cellBefore!, result.cellAfter!]) {
    assert.equal(profile.norms.length, 5);
    assert.equal(profile.ratios[4], 1, 'the ratio at T is 1');
    assert.ok(profile.ratios.every((r) => Number.isFinite(r) && r > 0));
  }
});

function quietProgress(): ProgressSink & { notes: string[] } {
  const notes: string[] = [];
  return { notes, start() {}, update() {}, finish() {}, note: (line) => notes.push(line) };
}

test('gradscope sequence: every model and length, JSON of the agreed shape, a report section', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'sequence-'));
  const progress = quietProgress();
  const flags = { seed: 0, lengths: '4,6', units: 4, updates: 5, 'test-samples': 32 };
  const inputs = await sequenceExperiment.prepare({ flags, progress });
  const files = RunDirectory.open(outDir);
  const output = await sequenceExperiment.run({ outDir, files, flags, progress }, inputs);
  files.release();
  const { results } = output.json as { results: Record<string, unknown>[] };
  assert.deepEqual(
    results.map((r) => [r.model, r.T]),
    [4, 6].flatMap((T) => SEQUENCE_MODELS.map((m) => [m, T])),
  );
  for (const r of results) {
    assert.deepEqual(Object.keys(r), [
      'model',
      'T',
      'testMse',
      'baselineMse',
      'gradRatioFirstToLast',
    ]);
    for (const key of ['testMse', 'baselineMse', 'gradRatioFirstToLast']) {
      assert.ok(Number.isFinite(r[key]), `${key} = ${String(r[key])}`);
    }
  }
  const provider = new DirectoryProvider(join(outDir, 'sequence'));
  assert.deepEqual(await provider.listRuns(), [
    'gru_T4',
    'gru_T6',
    'lstm_T4',
    'lstm_T6',
    'simple_rnn_T4',
    'simple_rnn_T6',
  ]);
  const [section] = output.sections;
  assert.equal(section.findings.length, 5);
  assert.ok(section.findings.every((line) => !/NaN|undefined/.test(line)));
  assert.deepEqual(
    section.figures.map((f) => f.id),
    [
      'sequence-test-mse',
      'sequence-hidden-before',
      'sequence-hidden-after',
      'sequence-cell-after',
      'sequence-loss',
    ],
  );
  await assert.rejects(
    sequenceExperiment.prepare({ flags: { lengths: '10,x' }, progress }),
    /--lengths must be a comma-separated list of integers ≥ 2\. Received: 10,x/,
  );
});

test('the training workers print each live verdict through the progress, as it is written', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'sequence-live-'));
  const progress = quietProgress();
  // Few units, many steps of a long sequence: the simple RNN's gradient through time vanishes.
  const flags = { seed: 0, lengths: '40', units: 4, updates: 70, 'test-samples': 32 };
  const inputs = await sequenceExperiment.prepare({ flags, progress });
  const files = RunDirectory.open(outDir);
  await sequenceExperiment.run({ outDir, files, flags, progress }, inputs);
  files.release();
  const provider = new DirectoryProvider(join(outDir, 'sequence'));
  let written = 0;
  for (const run of await provider.listRuns()) {
    for (const tag of (await provider.listTags(run)).texts) {
      const [first] = await provider.readTexts(run, tag);
      const check = tag.slice('verdicts/'.length);
      const line = `gradscope: sequence/${run}: step ${first.step}: `;
      assert.ok(
        progress.notes.some((note) => note.startsWith(line) && note.includes(check)),
        `${run} ${check} printed`,
      );
      written++;
    }
  }
  assert.ok(written > 0, 'some verdict was written');
});
