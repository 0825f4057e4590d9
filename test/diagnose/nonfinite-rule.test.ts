/** nonfinite names its origin: the loss, the gradient of a parameter, or the weights. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import type { Verdict } from '../../src/diagnose/rule.js';
import type { MemoryRun } from '../../src/log/memory-provider.js';
import { oneRun, series } from './support.js';

async function nonfiniteOf(fill: (run: MemoryRun) => void): Promise<Verdict> {
  const { verdicts } = await diagnoseRun(oneRun(fill), 'run');
  return verdicts.find((v) => v.check === 'nonfinite')!;
}

test('origin: the loss, when it is NaN before any gradient', async () => {
  const v = await nonfiniteOf((run) => {
    series(run, 'loss', [1, 0.9, NaN, NaN]);
    series(run, 'grad_norm/dense_1/kernel', [1, 1, 1, NaN]);
  });
  assert.deepEqual([v.evidence.origin, v.layer, v.firstStep], ['the loss', null, 2]);
});

test('origin: the gradient of a parameter', async () => {
  const v = await nonfiniteOf((run) => {
    series(run, 'loss', [1, 0.9, 0.8, NaN]);
    series(run, 'grad_norm/dense_1/kernel', [1, 1, Infinity, NaN]);
  });
  assert.deepEqual(
    [v.evidence.origin, v.layer, v.firstStep],
    ['the gradient of dense_1/kernel', 'dense_1/kernel', 2],
  );
});

test('origin: the weights, when NaN first shows in update_ratio/<p>', async () => {
  const v = await nonfiniteOf((run) => {
    series(run, 'loss', [1, 0.9, 0.8, 0.7, NaN]);
    series(run, 'grad_norm/dense_1/kernel', [1, 1, 1, 1, NaN]);
    series(run, 'update_ratio/dense_1/kernel', [1e-3, 1e-3, NaN, NaN], 1);
    series(run, 'update_ratio/dense_2/kernel', [1e-3, 1e-3, 1e-3, NaN], 1);
  });
  assert.deepEqual(
    [v.evidence.origin, v.layer, v.firstStep, v.evidence.tag],
    ['the weights of dense_1/kernel', 'dense_1/kernel', 3, 'update_ratio/dense_1/kernel'],
  );
});

test('origin: the gradient through time, dated by its training step, not its time steps', async () => {
  const v = await nonfiniteOf((run) => {
    series(run, 'loss', [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, NaN]);
    series(run, 'through_time/simple_rnn_1/step_7', [Infinity, 4, 2], 1);
  });
  assert.deepEqual(
    [v.evidence.origin, v.layer, v.firstStep],
    ['the gradient through time of simple_rnn_1', 'simple_rnn_1', 7],
  );
});
