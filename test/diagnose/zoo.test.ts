/** A subset of the labelled zoo: runs of most kinds of fault and four healthy ones. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { evaluateZoo } from '../../src/diagnose/zoo/evaluate.js';
import { ZOO } from '../../src/diagnose/zoo/specs.js';

const SUBSET = [
  'healthy-relu-3-adam',
  'healthy-tanh-2-adam',
  // Noisy batches that are no oscillation, and the least oscillating run that is.
  'healthy-relu-noisy-batches-1',
  'oscillating-lr-0.12-adam',
  'vanishing-sigmoid-8-sgd',
  'nan-lr-30-sgd',
  'dead-relu-bias-1',
  'stall-lr-1e-7',
  'diverging-tanh-lr-10-sgd',
  // Recurrent: found through time, from the through_time/* profiles.
  'healthy-gru-T8-adam',
  'vanishing-rnn-T24-recurrent-0.1',
  'exploding-linear-rnn-T12-recurrent-0.5',
];

test('the zoo subset: every labelled check found, no alarm on the healthy runs', async () => {
  const specs = SUBSET.map((name) => ZOO.find((s) => s.name === name)!);
  const score = await evaluateZoo(specs);
  for (const run of score.runs) assert.deepEqual([run.name, run.missed], [run.name, []]);
  assert.equal(score.healthyRuns, 4);
  for (const run of score.runs.filter((r) => r.name.includes('-rnn-'))) {
    const throughTime = run.diagnosis.verdicts.filter(
      (v) => run.faults.includes(v.check) && String(v.evidence.tag).startsWith('through_time/'),
    );
    assert.equal(throughTime.length, 1, run.name);
  }
  assert.equal(score.falseAlarms, 0);
  assert.ok(ZOO.length >= 30 && ZOO.filter((s) => s.faults.length === 0).length >= 10);
});
