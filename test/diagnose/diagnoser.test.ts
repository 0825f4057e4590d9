/** The live Diagnoser: verdicts during fit, written as text, training stopped on NaN. */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import { Diagnoser } from '../../src/diagnose/diagnoser.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Sequential } from '../../src/engine/sequential.js';
import { GradientProbes } from '../../src/probe/gradient-probes.js';
import type { Callback, StepContext } from '../../src/engine/callbacks.js';
import { EvaluationThread } from '../../src/diagnose/evaluations.js';
import { ZOO } from '../../src/diagnose/zoo/specs.js';
import { trainZooRun } from '../../src/diagnose/zoo/train.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-diagnoser-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const spec = (name: string) => ZOO.find((s) => s.name === name)!;

test('stops training at the first non-finite step and writes verdicts TensorBoard reads', async () => {
  const writer = new RunWriter(path.join(tmp, 'nan'));
  const lines: string[] = [];
  const diagnoser = new Diagnoser({
    sink: writer,
    texts: writer,
    name: 'nan',
    print: (l) => lines.push(l),
  });
  trainZooRun(spec('nan-lr-100-sgd'), diagnoser.sink, [diagnoser]);
  writer.close();
  const provider = new DirectoryProvider(path.join(tmp, 'nan'));
  const loss = await provider.readScalars('.', 'loss');
  const nonfinite = diagnoser.verdicts.find((v) => v.check === 'nonfinite')!;
  assert.equal(loss[loss.length - 1].step, nonfinite.firstStep, 'training ends at the NaN step');
  assert.ok(!Number.isFinite(loss[loss.length - 1].value));
  const [text] = await provider.readTexts('.', 'verdicts/nonfinite');
  assert.equal(text.step, nonfinite.firstStep);
  assert.match(text.text, /^\*\*error\*\* `nonfinite`/);
  assert.match(
    lines.find((l) => l.includes('nonfinite'))!,
    new RegExp(`step ${nonfinite.firstStep}: error nonfinite`),
  );
});

/** `diagnoser`, recording the steps at which `fit` calls its onBatchEnd into `steps`. */
function callsOf(diagnoser: Diagnoser, steps: number[]): Callback {
  return {
    onTrainBegin: (model) => diagnoser.onTrainBegin(model),
    get nextBatchEnd() {
      return diagnoser.nextBatchEnd;
    },
    onBatchEnd: (context) => {
      steps.push(context.step);
      diagnoser.onBatchEnd(context);
    },
    onEpochEnd: (epoch, logs) => diagnoser.onEpochEnd(epoch, logs),
    onTrainEnd: () => diagnoser.onTrainEnd(),
  };
}

test('fit calls the Diagnoser only at its evaluations, at a non-finite record and while an answer is awaited', () => {
  // On the training thread: at step 0, then where an evaluation is due (step + 1 = 64, 256, …),
  // and at most 1,024 steps apart.
  const healthy = new Diagnoser({ print: null, thread: false });
  const steps: number[] = [];
  const model = new Sequential({
    seed: 5,
    layers: [new Dense({ units: 4, activation: 'relu', inputShape: [3] }), new Dense({ units: 2 })],
  }).compile({ optimizer: 'adam', loss: 'mean_squared_error' });
  const x = Array.from({ length: 24 }, (_, i) => Math.sin(i));
  const y = Array.from({ length: 16 }, (_, i) => Math.cos(i));
  const data = arrayDataset(x, [3], y, 2);
  const probes = new GradientProbes({ sink: healthy.sink });
  // 8 samples, batch 1: 2,600 steps.
  model.fit(data, { epochs: 325, batchSize: 1, callbacks: [probes, callsOf(healthy, steps)] });
  assert.deepEqual(steps, [0, 63, 255, 1023, 2047], 'the scheduled steps, and 1,024 on');
  // A non-finite record wakes it at its step, where `nonfinite` stops training.
  const broken = new Diagnoser({ print: null, thread: false });
  const brokenSteps: number[] = [];
  trainZooRun(spec('nan-lr-100-sgd'), broken.sink, [callsOf(broken, brokenSteps)]);
  const nonfinite = broken.verdicts.find((v) => v.check === 'nonfinite')!;
  assert.equal(brokenSteps.at(-1), nonfinite.firstStep, 'called at the non-finite step');
  assert.ok(brokenSteps.length <= 4, `called ${brokenSteps.length} times`);
  // On their own thread, while an answer is awaited: every 16 steps (step + 1 a multiple of 16).
  const awaiting = Object.getOwnPropertyDescriptor(EvaluationThread.prototype, 'awaiting')!;
  EvaluationThread.prototype.awaiting = () => true;
  try {
    const polled = new Diagnoser({ print: null, thread: true });
    const pollSteps: number[] = [];
    trainZooRun(spec('healthy-relu-3-adam'), polled.sink, [callsOf(polled, pollSteps)]);
    assert.deepEqual(
      pollSteps.slice(0, 6),
      [0, 15, 31, 47, 63, 79],
      'looks for answers every 16 steps',
    );
  } finally {
    Object.defineProperty(EvaluationThread.prototype, 'awaiting', awaiting);
  }
});

test('a healthy run trains to the end with no verdict', () => {
  const diagnoser = new Diagnoser({ print: null });
  trainZooRun(spec('healthy-relu-3-adam'), diagnoser.sink, [diagnoser]);
  assert.deepEqual(diagnoser.verdicts, []);
  assert.deepEqual(diagnoser.fired, []);
});

// One run of each fault kind the zoo has, and a healthy one (the zoo trains them in seconds).
const LIVE_VERSUS_OFFLINE = [
  'healthy-tanh-2-adam',
  'vanishing-sigmoid-8-sgd',
  'exploding-init-0.5-relu-8',
  'nan-lr-30-sgd',
  'dead-relu-bias-1',
  'saturated-tanh-1',
  'stall-lr-1e-7',
  'oscillating-lr-0.08-adam',
  'diverging-tanh-lr-10-sgd',
  'overfit-16-samples',
];

test('after training, the live verdicts are those gradscope diagnose gives on the written run', async () => {
  const checks = new Set<string>();
  for (const name of LIVE_VERSUS_OFFLINE) {
    const dir = path.join(tmp, `live-${name}`);
    const writer = new RunWriter(dir);
    // Without texts: the verdicts' own text records would be the only difference.
    const diagnoser = new Diagnoser({ sink: writer, name, print: null });
    trainZooRun(spec(name), diagnoser.sink, [diagnoser]);
    writer.close();
    const offline = await diagnoseRun(new DirectoryProvider(dir), '.');
    assert.deepEqual(diagnoser.verdicts, offline.verdicts, name);
    // Each verdict fired live, first at a step no later than training ended.
    for (const verdict of offline.verdicts) {
      checks.add(verdict.check);
      const fired = diagnoser.fired.find(
        (v) => v.check === verdict.check && v.layer === verdict.layer,
      );
      assert.ok(fired, `${name}: ${verdict.check} fired live`);
    }
  }
  // The runs above make most checks fire, so the comparison covers them.
  assert.ok(checks.size >= 8, `checks compared: ${[...checks].join(', ')}`);
});

test('overfitting fires live from the epoch logs, once', () => {
  const lines: string[] = [];
  const diagnoser = new Diagnoser({ print: (l) => lines.push(l) });
  trainZooRun({ ...spec('overfit-24-samples'), epochs: 60 }, diagnoser.sink, [diagnoser]);
  const overfitting = diagnoser.verdicts.filter((v) => v.check === 'overfitting');
  assert.equal(overfitting.length, 1);
  assert.equal(lines.filter((l) => l.includes('overfitting')).length, 1);
});

test('with squared norms (normKind squared) the live verdicts are those of the written run', async () => {
  // Σx² series are rooted for the rules; live, their columns are taken from the log on read.
  for (const name of ['vanishing-sigmoid-8-sgd', 'exploding-init-0.5-relu-8']) {
    const dir = path.join(tmp, `squared-${name}`);
    const writer = new RunWriter(dir);
    const diagnoser = new Diagnoser({ sink: writer, name, print: null });
    trainZooRun(spec(name), diagnoser.sink, [diagnoser], { normKind: 'squared' });
    writer.close();
    const offline = await diagnoseRun(new DirectoryProvider(dir), '.');
    assert.deepEqual(diagnoser.verdicts, offline.verdicts, name);
    const gradientChecks = offline.verdicts.filter((v) => v.check.endsWith('_gradient'));
    assert.ok(gradientChecks.length > 0, `${name}: a gradient verdict from the squared norms`);
    for (const verdict of gradientChecks) assert.ok(verdict.firstStep !== null, name);
  }
});

test('with histograms only (no norms logged) the live verdicts are those of the written run', async () => {
  // The rules then read every histogram (gradient norms from buckets, unchanged weights from
  // the weights'), so the live run keeps them all; and it is gradscope's, as the files say.
  const histogramsOnly = {
    norms: 'never',
    updates: 'never',
    signals: 'never',
    histograms: 20,
  } as const;
  for (const name of ['vanishing-sigmoid-8-sgd', 'stall-lr-1e-7']) {
    const dir = path.join(tmp, `histograms-${name}`);
    const writer = new RunWriter(dir);
    const diagnoser = new Diagnoser({ sink: writer, name, print: null });
    trainZooRun(spec(name), diagnoser.sink, [diagnoser], {
      every: { activations: 1, ...histogramsOnly },
    });
    writer.close();
    const offline = await diagnoseRun(new DirectoryProvider(dir), '.');
    assert.ok(
      offline.verdicts.some((v) => v.evidence.source === 'histogram' || 'histograms' in v.evidence),
      name,
    );
    assert.deepEqual(diagnoser.verdicts, offline.verdicts, name);
  }
});

test('with no dead fractions logged, dead_relu reads zero gradients live as it does offline', async () => {
  // Without any dead_fraction tag, dead_relu reads every gradient histogram (the share of
  // gradients at zero), so the live run keeps them all although grad_norm is logged.
  for (const name of ['dead-relu-bias-1', 'healthy-relu-3-adam']) {
    const dir = path.join(tmp, `zero-gradients-${name}`);
    const writer = new RunWriter(dir);
    const diagnoser = new Diagnoser({ sink: writer, name, print: null });
    trainZooRun(spec(name), diagnoser.sink, [diagnoser], {
      every: { activations: 'never', histograms: 5 },
    });
    writer.close();
    const offline = await diagnoseRun(new DirectoryProvider(dir), '.');
    assert.deepEqual(diagnoser.verdicts, offline.verdicts, name);
    if (name.startsWith('dead')) {
      const dead = offline.verdicts.find((v) => v.check === 'dead_relu');
      assert.equal(dead?.evidence.source, 'zero gradients', name);
    }
  }
});

test('given its command, the live Diagnoser names only that command’s flags, as diagnose does', async () => {
  const command = { name: 'depth', flags: new Set(['--seed', '--out', '--epochs']) };
  const dir = path.join(tmp, 'command');
  const writer = new RunWriter(dir, { command: command.name });
  const diagnoser = new Diagnoser({ sink: writer, print: null, command });
  trainZooRun(spec('stall-lr-1e-7'), diagnoser.sink, [diagnoser]);
  writer.close();
  const offline = await diagnoseRun(new DirectoryProvider(dir), '.', {
    commandFlags: new Map([[command.name, command.flags]]),
  });
  assert.ok(offline.verdicts.length > 0);
  assert.deepEqual(diagnoser.verdicts, offline.verdicts);
  // The stall's gradscope remedy names --learning-rate, which this command does not take.
  for (const verdict of diagnoser.verdicts) assert.ok(!verdict.remedy.includes('--learning-rate'));
});

test('a verdict that a later evaluation no longer finds is written and printed as resolved', async () => {
  const dir = path.join(tmp, 'resolved');
  const writer = new RunWriter(dir);
  const lines: string[] = [];
  const diagnoser = new Diagnoser({ sink: writer, texts: writer, print: (l) => lines.push(l) });
  const model = { stopTraining: false };
  // A flat loss for the first evaluation (step 63), then one that falls tenfold.
  for (let step = 0; step < 300; step++) {
    diagnoser.sink.scalar('loss', step < 64 ? 1 : 1 / (1 + (step - 63) / 25), step);
    diagnoser.onBatchEnd({ step, model } as unknown as StepContext);
  }
  diagnoser.onTrainEnd();
  writer.close();
  const texts = await new DirectoryProvider(dir).readTexts('.', 'verdicts/loss_not_decreasing');
  assert.deepEqual(
    texts.map((t) => [t.step, t.text.split(' ')[0]]),
    [
      [63, '**warning**'],
      [255, '**resolved**'],
    ],
  );
  assert.match(
    lines[1],
    /^gradscope: run: step 255: resolved loss_not_decreasing: no longer found$/,
  );
  assert.deepEqual(diagnoser.verdicts, []);
  assert.equal(diagnoser.fired.length, 1);
});
