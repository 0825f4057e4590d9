/** Each rule on small hand-made runs: its verdict and evidence, its skip, its thresholds. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import { resolveThresholds } from '../../src/diagnose/rule.js';
import { groupRuns } from '../../src/diagnose/run-data.js';
import { CHECK_NAMES, RULES } from '../../src/diagnose/rules/index.js';
import { RandomState } from '../../src/engine/random.js';
import { oneRun, range, series } from './support.js';

const ISSUE_CHECKS = [
  'nonfinite',
  'exploding_gradient',
  'vanishing_gradient',
  'dead_relu',
  'saturated_activation',
  'unchanged_weights',
  'loss_not_decreasing',
  'loss_diverging',
  'loss_oscillating',
  'learning_rate_too_high',
  'learning_rate_too_low',
  'poor_initialization',
  'overfitting',
];

test('the thirteen checks of the issue, each with documented, anchored thresholds', () => {
  assert.deepEqual([...CHECK_NAMES].sort(), [...ISSUE_CHECKS].sort());
  for (const rule of RULES) {
    for (const [name, threshold] of Object.entries(rule.thresholds)) {
      assert.ok(Number.isFinite(threshold.value), `${rule.name}.${name}`);
      assert.ok(
        threshold.anchor.length > 0 && threshold.meaning.length > 0,
        `${rule.name}.${name}`,
      );
    }
  }
  const vanishing = RULES.find((r) => r.name === 'vanishing_gradient')!;
  assert.deepEqual(resolveThresholds(vanishing, { vanishing_gradient: { ratio: 0.5 } }), {
    ratio: 0.5,
    firstNorm: 1e-4,
    timeRatio: 1e-3,
    timeFirstNorm: 1e-4,
  });
  assert.throws(() => resolveThresholds(vanishing, { vanishing_gradient: { nope: 1 } }), {
    message:
      "vanishing_gradient: no threshold 'nope'. Expected one of: ratio, firstNorm, timeRatio, timeFirstNorm. Received: nope=1",
  });
});

test('nonfinite names the first step and the gradient nearest the output as origin', async () => {
  const provider = oneRun((run) => {
    series(run, 'loss', [1, 0.9, 0.8, NaN, NaN]);
    series(run, 'nonfinite/loss', [0, 0, 0, 1, 1]);
    series(run, 'grad_norm/dense_1/kernel', [1, 1, Infinity, NaN, NaN]);
    series(run, 'grad_norm/dense_2/kernel', [1, 1, Infinity, NaN, NaN]);
    series(run, 'nonfinite/gradients', [0, 0, 12, 40, 40]);
  });
  const { verdicts } = await diagnoseRun(provider, 'run');
  const nonfinite = verdicts.find((v) => v.check === 'nonfinite')!;
  assert.equal(nonfinite.firstStep, 2);
  assert.equal(nonfinite.layer, 'dense_2/kernel');
  assert.equal(nonfinite.evidence.origin, 'the gradient of dense_2/kernel');
  assert.equal(nonfinite.severity, 'error');
  assert.match(nonfinite.remedy, /--clip-global-norm 1/); // a gradscope run: nonfinite/* tags
});

test('a foreign run gets the general remedy; a NaN in any tag is a verdict, not a crash', async () => {
  const provider = oneRun((run) => {
    series(run, 'loss', [1, 0.5, 0.4]);
    series(run, 'accuracy', [0.1, NaN, 0.3]);
  });
  const { verdicts } = await diagnoseRun(provider, 'run');
  const nonfinite = verdicts.find((v) => v.check === 'nonfinite')!;
  assert.equal(nonfinite.evidence.origin, 'the tag accuracy');
  assert.equal(nonfinite.firstStep, 1);
  assert.doesNotMatch(nonfinite.remedy, /--/);
  assert.match(nonfinite.remedy, /clip_grad_norm_/);
});

test('vanishing: AUTOTRAINER ratio and norm, first and last weight in first-appearance order', async () => {
  const provider = oneRun((run) => {
    // Logged output side first in each step? No: in model order, input side first.
    series(
      run,
      'grad_norm/0.weight',
      range(10, () => 1e-6),
    );
    series(
      run,
      'grad_norm/0.bias',
      range(10, () => 1e-9),
    );
    series(
      run,
      'grad_norm/2.weight',
      range(10, () => 1e-2),
    );
    series(
      run,
      'grad_norm/2.bias',
      range(10, () => 1),
    );
  });
  const { verdicts } = await diagnoseRun(provider, 'run');
  const v = verdicts.find((x) => x.check === 'vanishing_gradient')!;
  assert.equal(v.severity, 'error');
  assert.equal(v.evidence.firstParameter, '0.weight');
  assert.equal(v.evidence.lastParameter, '2.weight'); // biases are left out
  assert.equal(v.evidence.medianRatio, 1e-4);
  const relaxed = await diagnoseRun(provider, 'run', {
    thresholds: { vanishing_gradient: { ratio: 1e-5 } },
  });
  assert.equal(
    relaxed.verdicts.find((x) => x.check === 'vanishing_gradient'),
    undefined,
  );
});

test('a check without its data is skipped with the missing tags, never guessed', async () => {
  const provider = oneRun((run) => series(run, 'loss', [2]));
  const { verdicts, skipped } = await diagnoseRun(provider, 'run');
  assert.deepEqual(verdicts, []);
  const reasons = Object.fromEntries(skipped.map((s) => [s.check, s.reason]));
  assert.match(reasons.vanishing_gradient, /grad_norm\/<param>.*gradients\/<param>/);
  assert.match(reasons.overfitting, /val_loss/);
  assert.match(reasons.loss_not_decreasing, /at least 5 finite points of loss; found 1/);
  assert.match(reasons.dead_relu, /dead_fraction\/<layer>/);
  assert.ok(!('nonfinite' in reasons));
});

test('overfitting needs patience: one noisy validation point is no verdict', async () => {
  const train = range(100, (i) => 1 - i / 120);
  const noisy = [1, 0.8, 0.6, 0.5, 0.9, 0.45, 0.44, 0.43];
  const rising = [1, 0.8, 0.6, 0.5, 0.6, 0.7, 0.8, 0.9];
  for (const [validation, expected] of [
    [noisy, false],
    [rising, true],
  ] as const) {
    const provider = oneRun((run) => {
      series(run, 'loss', train);
      validation.forEach((value, i) => run.scalar('val_loss', value, 10 * (i + 1)));
    });
    const { verdicts } = await diagnoseRun(provider, 'run');
    const v = verdicts.find((x) => x.check === 'overfitting');
    assert.equal(v !== undefined, expected, JSON.stringify(validation));
    if (v)
      assert.deepEqual([v.firstStep, v.lastStep, v.evidence.bestValidationLoss], [40, 80, 0.5]);
  }
});

test('dead ReLU and saturation from the probes’ fractions, judged on the late quarter', async () => {
  const provider = oneRun((run) => {
    series(
      run,
      'nonfinite/loss',
      range(40, () => 0),
    );
    series(
      run,
      'dead_fraction/dense_1',
      range(40, (i) => (i < 20 ? 0.1 : 0.8)),
    );
    series(
      run,
      'dead_fraction/dense_2',
      range(40, () => 0.55),
    );
    series(
      run,
      'saturated_fraction/dense_3',
      range(40, () => 0.6),
    );
  });
  const { verdicts } = await diagnoseRun(provider, 'run');
  const dead = verdicts.filter((v) => v.check === 'dead_relu').map((v) => [v.layer, v.severity]);
  assert.deepEqual(dead, [
    ['dense_1', 'error'],
    ['dense_2', 'warning'],
  ]);
  const saturated = verdicts.find((v) => v.check === 'saturated_activation')!;
  assert.deepEqual([saturated.layer, saturated.evidence.saturatedFraction], ['dense_3', 0.6]);
  assert.match(verdicts[0].remedy, /--activation/);
});

test('learning rate from the update ratio: too high, too low, healthy', async () => {
  for (const [ratio, check] of [
    [0.05, 'learning_rate_too_high'],
    [1e-7, 'learning_rate_too_low'],
    [1e-3, undefined],
  ] as const) {
    const provider = oneRun((run) => {
      series(
        run,
        'update_ratio/dense_1/kernel',
        range(20, () => ratio),
      );
      series(
        run,
        'update_ratio/dense_2/kernel',
        range(20, () => ratio * 2),
      );
    });
    const { verdicts } = await diagnoseRun(provider, 'run');
    const fired = verdicts.filter((v) => v.check.startsWith('learning_rate')).map((v) => v.check);
    assert.deepEqual(fired, check === undefined ? [] : [check], String(ratio));
  }
});

/** Seeded standard normal noise for the loss shapes. */
const NOISE = new RandomState(7).randn(600);

test('loss trends: diverging, not decreasing and oscillating, one step included', async () => {
  const cases: [string, number[], string[]][] = [
    ['diverging', range(50, (i) => 1 + i / 5), ['loss_diverging']],
    ['flat', range(50, () => 1), ['loss_not_decreasing']],
    [
      // The smoothed loss climbs back by 0.3 every other window of 4 steps.
      'oscillating',
      range(48, (i) => 1 / (1 + i / 10) + (i > 20 && Math.floor(i / 4) % 2 ? 0.3 : 0)),
      ['loss_oscillating'],
    ],
    [
      // Shaped like the seed's Fashion-MNIST ReLU run: a fast drop to 0.35, then one batch's
      // loss spread by 0.15 around it (the rule's former statistic called this oscillating).
      'minibatch noise',
      range(375, (i) => 0.35 + 0.5 * Math.exp(-i / 20) + 0.15 * NOISE[i]),
      [],
    ],
    [
      // Shaped like the seed's LSTM at T=50: a noisy plateau that drops at the end.
      'plateau, then a drop',
      range(600, (i) => (i < 550 ? 0.165 : 0.07) + 0.035 * NOISE[i]),
      [],
    ],
    ['healthy', range(50, (i) => 1 / (1 + i / 10)), []],
    ['single step', [0.7], []],
  ];
  for (const [name, loss, expected] of cases) {
    const provider = oneRun((run) => series(run, 'loss', loss));
    const { verdicts } = await diagnoseRun(provider, 'run');
    assert.deepEqual(
      verdicts.map((v) => v.check),
      expected,
      name,
    );
  }
});

test('Keras train/ and validation/ folders are one run named by the folder', () => {
  assert.deepEqual(
    groupRuns(['a/train', 'a/validation', 'b', 'train', 'validation', 'c/validation']),
    [
      { name: '.', train: 'train', validation: 'validation' },
      { name: 'a', train: 'a/train', validation: 'a/validation' },
      { name: 'b', train: 'b' },
      { name: 'c/validation', train: 'c/validation' },
    ],
  );
});

test('one step: its exploded gradient is a verdict, its update no learning-rate scale', async () => {
  // The rnn experiment's demonstration: one backward pass, one SGD step.
  const provider = oneRun((run) => {
    series(run, 'loss', [9.8e5]);
    series(run, 'nonfinite/loss', [0]);
    series(run, 'global_norm/before_clip', [7.8e6]);
    series(run, 'grad_norm/rnn/kernel', [7.1e5]);
    series(run, 'grad_norm/rnn/recurrent_kernel', [7.7e6]);
    series(run, 'update_ratio/rnn/kernel', [0.07], 1);
    series(run, 'update_ratio/rnn/recurrent_kernel', [0.57], 1);
  });
  const { verdicts, skipped } = await diagnoseRun(provider, 'run');
  const exploding = verdicts.find((v) => v.check === 'exploding_gradient')!;
  assert.equal(exploding.evidence.earlyNorm, 7.8e6);
  assert.equal(exploding.firstStep, 0);
  for (const check of ['learning_rate_too_high', 'learning_rate_too_low']) {
    assert.equal(
      skipped.find((s) => s.check === check)?.reason,
      'needs update_ratio at 5 steps or more; found 1',
    );
  }
});

test('a global norm that is NaN over its first 10% and finite later is read, not a crash', async () => {
  const provider = oneRun((run) => {
    series(
      run,
      'global_norm/before_clip',
      range(50, (i) => (i < 5 ? NaN : 1)),
    );
  });
  const { verdicts } = await diagnoseRun(provider, 'run');
  // No early median to grow from: neither the growth nor the start-exploded verdict.
  assert.deepEqual(
    verdicts.filter((v) => v.check === 'exploding_gradient'),
    [],
  );
  assert.ok(verdicts.some((v) => v.check === 'nonfinite'));
});
