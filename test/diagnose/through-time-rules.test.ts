/** vanishing_gradient and exploding_gradient through time, from the through_time/* profiles. */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diagnoseAll, diagnoseRun } from '../../src/diagnose/diagnose.js';
import type { Verdict } from '../../src/diagnose/rule.js';
import { runRnnExperiment } from '../../src/experiments/rnn/index.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import type { MemoryRun } from '../../src/log/memory-provider.js';
import { oneRun, range, series } from './support.js';

/** A profile at training step `step`: ‖∂L/∂h_t‖ = scale·factor^(T−t), t = 1 … T. */
function profile(run: MemoryRun, tag: string, T: number, factor: number, scale = 1): void {
  series(
    run,
    tag,
    range(T, (i) => scale * factor ** (T - 1 - i)),
    1,
  );
}

const timeVerdicts = (verdicts: Verdict[], check: string) =>
  verdicts.filter((v) => v.check === check && String(v.evidence.tag).startsWith('through_time'));

test('vanishing through time: the ratio, the per-step factor, T and the training step', async () => {
  const provider = oneRun((run) => profile(run, 'through_time/simple_rnn_1/step_40', 21, 0.5));
  const { verdicts } = await diagnoseRun(provider, 'run');
  const [v] = timeVerdicts(verdicts, 'vanishing_gradient');
  assert.equal(v.severity, 'error'); // ‖∂L/∂h_1‖ = 0.5^20 ≈ 9.5e-7, below 1e-4
  assert.equal(v.layer, 'simple_rnn_1');
  assert.deepEqual([v.firstStep, v.lastStep], [40, 40]);
  assert.ok(Math.abs(Number(v.evidence.ratio) / 0.5 ** 20 - 1) < 1e-3);
  assert.ok(Math.abs(Number(v.evidence.stepFactor) - 0.5) < 1e-3);
  assert.equal(v.evidence.timeSteps, 21);
  assert.equal(v.evidence.trainingStep, 40);
  assert.match(v.message, /‖∂L\/∂h_1‖ is 9\.54e-7× ‖∂L\/∂h_21‖ at training step 40/);
  // Overridable: a smaller ratio threshold lets it pass.
  const relaxed = await diagnoseRun(provider, 'run', {
    thresholds: { vanishing_gradient: { timeRatio: 1e-7 } },
  });
  assert.deepEqual(timeVerdicts(relaxed.verdicts, 'vanishing_gradient'), []);
});

test('a ratio below 1e-3 with ‖∂L/∂h_1‖ above 1e-4 is a warning', async () => {
  const provider = oneRun((run) => profile(run, 'through_time/gru_1/step_0', 11, 0.5, 1));
  const { verdicts } = await diagnoseRun(provider, 'run', {
    thresholds: { vanishing_gradient: { timeRatio: 2e-3 } },
  });
  const [v] = timeVerdicts(verdicts, 'vanishing_gradient');
  // 0.5^10 ≈ 9.8e-4: below 2e-3, and above 1e-4.
  assert.deepEqual([v.severity, v.layer], ['warning', 'gru_1']);
});

test('the latest training step decides: a profile repaired by training is no verdict', async () => {
  const repaired = oneRun((run) => {
    profile(run, 'through_time/simple_rnn_1/step_0', 30, 0.5);
    profile(run, 'through_time/simple_rnn_1/step_99', 30, 0.98);
  });
  const fine = await diagnoseRun(repaired, 'run');
  assert.deepEqual(timeVerdicts(fine.verdicts, 'vanishing_gradient'), []);
  const worsened = oneRun((run) => {
    profile(run, 'through_time/simple_rnn_1/step_0', 30, 0.98);
    profile(run, 'through_time/simple_rnn_1/step_99', 30, 0.5);
  });
  const [v] = timeVerdicts((await diagnoseRun(worsened, 'run')).verdicts, 'vanishing_gradient');
  assert.equal(v.evidence.trainingStep, 99);
});

test('a cell state that carries the gradient back keeps an LSTM from a verdict', async () => {
  const provider = oneRun((run) => {
    profile(run, 'through_time/lstm_1/step_5', 50, 0.6);
    profile(run, 'through_time_cell/lstm_1/step_5', 50, 0.999);
  });
  const { verdicts } = await diagnoseRun(provider, 'run');
  assert.deepEqual(timeVerdicts(verdicts, 'vanishing_gradient'), []);
  const both = oneRun((run) => {
    profile(run, 'through_time/lstm_1/step_5', 50, 0.6);
    profile(run, 'through_time_cell/lstm_1/step_5', 50, 0.8);
  });
  const [v] = timeVerdicts((await diagnoseRun(both, 'run')).verdicts, 'vanishing_gradient');
  assert.deepEqual([v.layer, v.evidence.state], ['lstm_1', 'cell']);
  assert.match(v.message, /‖∂L\/∂c_1‖/);
  assert.match(v.remedy, /unit_forget_bias/); // already gated: not "use a gated cell"
});

test('exploding through time: AUTOTRAINER’s 70 over the time steps; unnamed layer', async () => {
  const provider = oneRun((run) => profile(run, 'through_time/step_3', 21, 1.5));
  const { verdicts } = await diagnoseRun(provider, 'run');
  const [v] = timeVerdicts(verdicts, 'exploding_gradient');
  assert.deepEqual([v.severity, v.layer, v.evidence.threshold], ['error', 'through time', 70]);
  assert.ok(Math.abs(Number(v.evidence.stepFactor) - 1.5) < 1e-3);
  assert.deepEqual(timeVerdicts(verdicts, 'vanishing_gradient'), []);
  const relaxed = await diagnoseRun(provider, 'run', {
    thresholds: { exploding_gradient: { timeRatio: 1e4 } },
  });
  assert.deepEqual(timeVerdicts(relaxed.verdicts, 'exploding_gradient'), []);
});

test('remedies: gradscope flags for a gradscope run, the general change for a foreign one', async () => {
  const gradscope = oneRun((run) => {
    series(run, 'nonfinite/loss', [0]);
    profile(run, 'through_time/simple_rnn_1/step_0', 21, 0.5);
    profile(run, 'through_time/simple_rnn_2/step_0', 21, 1.5);
  });
  const ours = (await diagnoseRun(gradscope, 'run')).verdicts;
  assert.match(timeVerdicts(ours, 'vanishing_gradient')[0].remedy, /--models gru,lstm/);
  assert.match(timeVerdicts(ours, 'exploding_gradient')[0].remedy, /--max-norm 1/);
  const foreign = oneRun((run) => profile(run, 'through_time/rnn/step_0', 21, 0.5));
  const theirs = timeVerdicts((await diagnoseRun(foreign, 'run')).verdicts, 'vanishing_gradient');
  assert.doesNotMatch(theirs[0].remedy, /--/);
  assert.match(theirs[0].remedy, /nn\.LSTM/);
});

test('without gradient norms or profiles both checks are skipped, naming the through-time tags', async () => {
  const { skipped } = await diagnoseRun(
    oneRun((run) => series(run, 'loss', [1, 0.5])),
    'run',
  );
  for (const check of ['vanishing_gradient', 'exploding_gradient']) {
    assert.match(skipped.find((s) => s.check === check)!.reason, /through_time\/<layer>/);
  }
});

test('the rnn experiment’s runs: verdicts match the norms the experiment reports', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-through-time-'));
  try {
    const result = await runRnnExperiment({}, dir);
    const diagnoses = await diagnoseAll(new DirectoryProvider(dir));
    const { N, T } = result.args;
    // ‖∂L/∂h_{T+1}‖ is that of ones(N, H); ‖∂L/∂h_1‖ is T steps back (result.*Norms are /N).
    const latest = Math.sqrt(N * result.args.H);
    for (const [run, check, norms] of [
      ['vanishing', 'vanishing_gradient', result.vanishingNorms],
      ['exploding', 'exploding_gradient', result.norms],
    ] as const) {
      const [v] = timeVerdicts(diagnoses.get(run)!.verdicts, check);
      const expected = (norms[T - 1] * N) / latest;
      assert.ok(Math.abs(Number(v.evidence.ratio) / expected - 1) < 1e-3, `${run}: ${v.message}`);
      assert.equal(v.evidence.timeSteps, T + 1);
      assert.equal(v.layer, 'simple_rnn_1');
      assert.match(v.remedy, /gradscope (rnn|sequence)/); // written by gradscope
    }
    assert.deepEqual(timeVerdicts(diagnoses.get('vanishing')!.verdicts, 'exploding_gradient'), []);
    // The global-norm verdict too names the clipping flag the rnn command has.
    const exploding = diagnoses.get('exploding')!.verdicts;
    assert.deepEqual(
      exploding.map((v) => [v.check, /--max-norm 1/.test(v.remedy)]),
      [
        ['exploding_gradient', true],
        ['exploding_gradient', true],
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
