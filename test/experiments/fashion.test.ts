/** The Fashion-MNIST experiment on a small slice: two worker threads, event files, report section. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fashionExperiment } from '../../src/experiments/fashion/index.js';
import type { ProgressSink } from '../../src/experiments/progress.js';
import { DirectoryProvider } from '../../src/log/provider.js';

function recordingProgress(): ProgressSink & { updates: number[]; notes: string[] } {
  const updates: number[] = [];
  const notes: string[] = [];
  return {
    updates,
    notes,
    start: () => {},
    update: (done) => updates.push(done),
    finish: () => {},
    note: (line) => notes.push(line),
  };
}

test('fashion trains sigmoid and relu side by side and reports from the event files', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'fashion-'));
  const progress = recordingProgress();
  const flags = { seed: 0, epochs: 2, 'batch-size': 32, optimizer: 'adam', 'train-samples': 640 };
  const output = await fashionExperiment.run({ outDir, flags, progress });
  const models = (output.json as { models: Record<string, Record<string, number[]>> }).models;
  assert.deepEqual(Object.keys(models).sort(), ['relu', 'sigmoid']);
  for (const history of Object.values(models)) {
    for (const key of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
      assert.equal(history[key].length, 2, key);
      assert.ok(history[key].every(Number.isFinite), key);
    }
  }
  // Progress counts batches of both models: 2 × 2 epochs × 20 batches at the end.
  assert.equal(Math.max(...progress.updates), 80);
  const provider = new DirectoryProvider(join(outDir, 'fashion'));
  assert.deepEqual(await provider.listRuns(), [
    'relu/train',
    'relu/validation',
    'sigmoid/train',
    'sigmoid/validation',
  ]);
  const valLoss = await provider.readScalars('relu/validation', 'epoch_loss');
  assert.deepEqual(
    valLoss.map((p) => p.value),
    models.relu.val_loss.map((v) => Math.fround(v)),
  );
  const histograms = await provider.readHistograms('sigmoid/train', 'weights/dense_1/kernel');
  assert.equal(histograms.length, 3, 'initial weights + one per epoch');
  const [section] = output.sections;
  const ids = section.figures.map((f) => f.id);
  assert.ok(
    ids.includes('fashion-loss') && ids.includes('fashion-hist-sigmoid-dense_1-kernel'),
    ids.join(),
  );
  assert.match(section.findings[0], /ReLU (reached|did not reach) lower/);
  assert.ok(readdirSync(join(outDir, 'fashion', 'sigmoid', 'train')).length === 1);
});
