/**
 * vanishing_gradient and exploding_gradient across layers from the backprop signals
 * (`signal_norm/<layer>`), for runs that log those but no gradient norms (gradscope depth).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import type { MemoryRun } from '../../src/log/memory-provider.js';
import { oneRun, range, series } from './support.js';

/** `layers` layers whose signal is `factor` times the next one's, the last layer's 0.2. */
function signals(run: MemoryRun, layers: number, factor: number, tag = 'signal_norm'): void {
  for (let k = 1; k <= layers; k++) {
    const norm = 0.2 * factor ** (layers - k);
    series(
      run,
      `${tag}/dense_${k}`,
      range(20, (step) => (tag.endsWith('_sq') ? norm ** 2 : norm) * (1 + 0.01 * (step % 3))),
    );
  }
  series(
    run,
    'loss',
    range(20, (step) => 2.3 - 0.05 * step),
  );
}

const check = async (fill: (run: MemoryRun) => void, name: string) => {
  const outcome = await diagnoseRun(oneRun(fill), 'run');
  return {
    verdicts: outcome.verdicts.filter((v) => v.check === name),
    skipped: outcome.skipped.find((s) => s.check === name),
  };
};

test('a signal that shrinks ×0.5 a layer over 30 layers is a vanishing error at the first layer', async () => {
  const { verdicts, skipped } = await check((run) => signals(run, 30, 0.5), 'vanishing_gradient');
  assert.equal(skipped, undefined);
  assert.equal(verdicts.length, 1);
  const [v] = verdicts;
  assert.equal(v.severity, 'error'); // 0.2·0.5^29 ≈ 3.7e-10, below 1e-4
  assert.equal(v.layer, 'dense_1');
  assert.deepEqual([v.firstStep, v.lastStep], [0, 19]);
  assert.equal(v.evidence.source, 'signal_norm');
  assert.deepEqual([v.evidence.firstLayer, v.evidence.lastLayer], ['dense_1', 'dense_30']);
  assert.ok(Math.abs(Number(v.evidence.medianRatio) / 0.5 ** 29 - 1) < 1e-3);
  assert.match(v.message, /backprop signal ‖∂L\/∂a‖ at dense_1 is 1\.86e-9 of that at dense_30/);
});

test('signals logged as sums of squares are read as norms', async () => {
  const { verdicts } = await check(
    (run) => signals(run, 30, 0.5, 'signal_norm_sq'),
    'vanishing_gradient',
  );
  assert.equal(verdicts.length, 1);
  assert.ok(Math.abs(Number(verdicts[0].evidence.medianRatio) / 0.5 ** 29 - 1) < 1e-3);
});

test('a signal that keeps its size through the layers gives neither verdict', async () => {
  for (const name of ['vanishing_gradient', 'exploding_gradient']) {
    const { verdicts, skipped } = await check((run) => signals(run, 30, 1), name);
    assert.deepEqual(verdicts, [], name);
    assert.equal(skipped, undefined, `${name} ran on the signals`);
  }
});

test('a signal that grows towards the input side is an exploding error', async () => {
  const { verdicts } = await check((run) => signals(run, 10, 2), 'exploding_gradient');
  assert.equal(verdicts.length, 1);
  assert.equal(verdicts[0].layer, 'dense_1');
  assert.ok(Math.abs(Number(verdicts[0].evidence.medianRatio) / 2 ** 9 - 1) < 1e-3);
  assert.match(verdicts[0].message, /‖∂L\/∂a‖ at dense_1 is 512× that at dense_10/);
});

test('gradient norms, where logged, are compared instead of the signals', async () => {
  const { verdicts } = await check((run) => {
    signals(run, 30, 0.5);
    for (const k of [1, 30])
      series(
        run,
        `grad_norm/dense_${k}/kernel`,
        range(20, () => 0.1),
      );
  }, 'vanishing_gradient');
  assert.deepEqual(verdicts, []);
});

test('one layer of signal is not enough: skipped, naming both kinds of tag', async () => {
  const { skipped } = await check((run) => signals(run, 1, 0.5), 'vanishing_gradient');
  assert.match(
    skipped?.reason ?? '',
    /grad_norm\/<param>.*signal_norm\/<layer> scalars for two layers or more \(found 1\)/,
  );
});
