/**
 * A probed step reaches an event file in one write at the end of `onBatchEnd`: nothing between
 * the callbacks, and the batch-side records of step s (loss, gradient and global norms) as one
 * event with one wall time.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Callback } from '../../src/engine/callbacks.js';
import { parseEvents } from '../../src/log/event-reader.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { GradientProbes } from '../../src/probe/gradient-probes.js';
import { formulaDataset, threeLayerModel } from './support.js';

test('a step is written once, after onBatchEnd, its batch side as one event', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-step-writes-'));
  try {
    const writer = new RunWriter(dir);
    const probes = new GradientProbes({ sink: writer, every: { activations: 1 } });
    const sizes: [string, number][] = [];
    const size = (when: string) => sizes.push([when, fs.statSync(writer.path).size]);
    // Runs after the probes in each callback.
    const spy: Callback = {
      onTrainBegin: () => size('begin'),
      onGradients: () => size('gradients'),
      onBatchEnd: () => size('end'),
    };
    threeLayerModel().fit(formulaDataset(8, 3, 2), { batchSize: 4, callbacks: [probes, spy] });
    writer.close();
    const grew = sizes.map(([when], i) => [when, i > 0 && sizes[i][1] > sizes[i - 1][1]]);
    assert.deepEqual(grew, [
      ['begin', false],
      ['gradients', false],
      ['end', true],
      ['gradients', false],
      ['end', true],
    ]);

    const { events } = parseEvents(new Uint8Array(fs.readFileSync(writer.path)), 'f');
    const tagsAt = (step: number) =>
      events
        .filter(({ event }) => event.step === step && event.summary)
        .map(({ event }) => (event.summary!.value ?? []).map((v) => v.tag));
    // Step 1: the weights after the first update, then the second batch with its global norms.
    const [weights, batch] = tagsAt(1);
    assert.ok(weights.includes('weight_norm/dense_1/kernel'), weights.join());
    assert.ok(!weights.includes('loss'));
    for (const tag of ['loss', 'grad_norm/dense_1/kernel', 'activation_mean/dense_1']) {
      assert.ok(batch.includes(tag), `${tag} in ${batch.join()}`);
    }
    assert.ok(batch.includes('global_norm/before_clip'), batch.join());
    assert.equal(tagsAt(1).length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
