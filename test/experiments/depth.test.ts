/** `gradscope depth` on a small slice, and the per-layer factor its findings use. */
import test from 'node:test';
import { RunDirectory } from '../../src/log/run-dir.js';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  converged,
  spreadAcrossLayers,
  trainedFinding,
  varianceFactorPerLayer,
} from '../../src/experiments/depth/findings.js';
import { depthExperiment } from '../../src/experiments/depth/index.js';
import type { ProgressSink } from '../../src/experiments/progress.js';

test('the variance factor per layer is the geometric mean of squared consecutive ratios', () => {
  assert.ok(Math.abs(varianceFactorPerLayer([1, 2, 4, 8]) - 0.25) < 1e-12);
  assert.ok(Math.abs(varianceFactorPerLayer([3, 3]) - 1) < 1e-12);
  assert.equal(converged([2.3, 1.0]), true);
  assert.equal(converged([2.3, 2.2]), false);
  assert.equal(converged([2.3, NaN]), false);
});

test('gradscope depth: per-layer statistics and loss curves in the agreed JSON', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'depth-'));
  const notes: string[] = [];
  const progress: ProgressSink = {
    start() {},
    update() {},
    finish() {},
    note: (l) => notes.push(l),
  };
  const flags = { width: 8, updates: 3, epochs: 2, 'train-samples': 96 };
  const inputs = await depthExperiment.prepare({ flags, progress });
  const files = RunDirectory.open(outDir);
  const output = await depthExperiment.run({ outDir, files, flags, progress }, inputs);
  files.release();
  const json = output.json as {
    glorot: Record<
      string,
      Record<
        string,
        {
          activationStd: number[];
          gradStd: number[];
          trained: { step: number; activationMean: number[]; kernelGradStd: number[] };
        }
      >
    >;
    he: Record<string, { loss: number[]; signalNorm: number[] }>;
  };
  assert.deepEqual(Object.keys(json.glorot), ['tanh', 'sigmoid', 'softsign']);
  for (const inits of Object.values(json.glorot)) {
    assert.deepEqual(Object.keys(inits), ['standard', 'normalized']);
    for (const stats of Object.values(inits)) {
      assert.equal(stats.activationStd.length, 5);
      assert.equal(stats.gradStd.length, 5);
      assert.ok([...stats.activationStd, ...stats.gradStd].every((v) => v > 0));
      assert.equal(stats.trained.step, 2, 'after training: at the last of 3 updates');
      assert.equal(stats.trained.activationMean.length, 5);
      assert.ok(stats.trained.kernelGradStd.every((v) => v > 0));
    }
  }
  assert.deepEqual(Object.keys(json.he), ['glorot', 'he']);
  for (const run of Object.values(json.he)) {
    assert.equal(run.loss.length, 2, 'one loss per epoch');
    assert.equal(run.signalNorm.length, 30, 'one norm per hidden layer');
  }
  const [section] = output.sections;
  assert.equal(section.findings.length, 8, '3 at initialization, 3 after training, 2 He runs');
  assert.ok(section.figures.some((f) => f.id === 'depth-glorot-trained'));
  assert.ok(section.findings.every((line) => !/NaN|undefined/.test(line)));
});

test('after-training findings compare the measured spread and saturation with the paper', () => {
  assert.equal(spreadAcrossLayers([2, 1, 4]), 4);
  const facts = (activation: string, standard: number, normalized: number, topMean: number) => ({
    activation,
    step: 99,
    kernelGradSpread: { standard, normalized },
    gradFactor: { standard: 0.5, normalized: 1 },
    topMean: { standard: topMean, normalized: 0.5 },
  });
  assert.match(trainedFinding(facts('tanh', 8, 2, 0)), /spread is smaller with normalized init/);
  assert.match(trainedFinding(facts('tanh', 2, 8, 0)), /spread is not smaller/);
  assert.match(trainedFinding(facts('sigmoid', 2, 2, 0.02)), /\(below 0.1: saturated\)/);
  assert.match(trainedFinding(facts('sigmoid', 2, 2, 0.4)), /not saturated/);
});
