/**
 * The live Diagnoser's rules on a thread of their own (evaluations.ts) against the same rules
 * on the training thread: a LiveRun rebuilt from deltas holds what the LiveRun itself holds,
 * and the Diagnoser fires, prints, stops and ends with the same verdicts either way.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Diagnoser, type DiagnoserArgs } from '../../src/diagnose/diagnoser.js';
import { EvaluationThread, threadSetting } from '../../src/diagnose/evaluations.js';
import { LiveRun } from '../../src/diagnose/live-run.js';
import { LOG_LIMIT } from '../../src/diagnose/scalar-log.js';
import type { StepContext } from '../../src/engine/callbacks.js';
import type { HistogramPoint } from '../../src/log/points.js';
import { ZOO } from '../../src/diagnose/zoo/specs.js';
import { trainZooRun } from '../../src/diagnose/zoo/train.js';
import { MemoryRun } from '../../src/log/memory-provider.js';
import { TeeSink } from '../../src/probe/sink.js';

const spec = (name: string) => ZOO.find((s) => s.name === name)!;

/** Every point of a histogram entry, bucketed, as plain data. */
function histogramData(entry: HistogramPoint[] | (() => HistogramPoint[])) {
  const points = typeof entry === 'function' ? entry() : entry;
  return points.map((p) => ({ step: p.step, buckets: p.buckets.map((b) => ({ ...b })) }));
}

test('a LiveRun rebuilt from deltas holds what the LiveRun itself holds', () => {
  const own = new LiveRun();
  const sender = new LiveRun();
  const copy = new LiveRun();
  const both = new TeeSink([own, sender]);
  const norms = both.scalarGroup(['grad_norm/d0/kernel', 'grad_norm/d1/kernel', 'nonfinite/loss']);
  const values = new Float32Array(3);
  for (let step = 0; step < 3000; step++) {
    both.scalar('loss', 1 / (step + 1), step);
    // NaN in the kept histograms at steps 2500 and 2600 (the first and the latest non-finite
    // ones), a positive count at 1200 (from then on the latest is kept too).
    const nan = step >= 2500 && step <= 2600;
    values.set([step * 0.1, nan ? NaN : step * 0.2, step === 1200 ? 1 : 0]);
    norms.write(values, step, 0);
    if (step % 7 === 0) both.scalar('activation_std/d0', Math.sin(step), step);
    if (step >= 1500) both.scalar('late/tag', step, step);
    // Histograms before and after their stand-ins, one reusing its array as the engine does.
    if (step % 100 === 0) {
      both.histogram('weights/d0/kernel', values, step, { bucketCount: 3 });
      both.histogram('gradients/d1/kernel', [step, -step, 1], step, { bucketCount: 2 });
    }
    if (step === 800) {
      both.scalar('weight_norm/d0/kernel', 1, step);
      both.scalar('update_ratio/d0/kernel', 1e-3, step);
    }
    assert.equal(sender.nonFiniteArrived(), own.nonFiniteArrived(), `step ${step}`);
    // Handed over at uneven steps, some with nothing new.
    if (step % 333 === 0 || step % 1000 === 1 || step === 2999) {
      copy.appendDelta(sender.takeDelta());
      if (step % 1000 === 1) copy.appendDelta(sender.takeDelta());
    }
  }
  const a = copy.contents('r');
  const b = own.contents('r');
  assert.deepEqual(a.tags, b.tags);
  for (const tag of b.tags.scalars) {
    assert.deepEqual([...a.scalars.get(tag)!.steps], [...b.scalars.get(tag)!.steps], tag);
    assert.deepEqual([...a.scalars.get(tag)!.values], [...b.scalars.get(tag)!.values], tag);
  }
  for (const tag of b.tags.histograms) {
    assert.deepEqual(histogramData(a.histograms.get(tag)!), histogramData(b.histograms.get(tag)!));
  }
  assert.equal(copy.scalarCount('loss'), 3000);
  assert.equal(sender.scalarCount('grad_norm/d1/kernel'), 3000, 'counts survive the hand-over');
  assert.equal(sender.scalarCount('late/tag'), 1500);
});

/** Trains zoo run `name` with a Diagnoser on `thread`; what it fired, printed and ended with. */
function diagnosed(name: string, thread: boolean, args: DiagnoserArgs = {}) {
  const lines: string[] = [];
  const run = new MemoryRun();
  const diagnoser = new Diagnoser({ ...args, sink: run, thread, print: (l) => lines.push(l) });
  trainZooRun(spec(name), diagnoser.sink, [diagnoser]);
  const loss = run.scalarSeries.get('loss')!.columns();
  return {
    fired: diagnoser.fired,
    verdicts: diagnoser.verdicts,
    lines,
    lastStep: loss.steps[loss.steps.length - 1],
  };
}

for (const name of [
  'healthy-relu-3-adam',
  'vanishing-sigmoid-8-sgd',
  'nan-lr-100-sgd',
  'oscillating-lr-0.12-adam',
  'overfit-16-samples',
]) {
  test(`${name}: the rules on their own thread fire, print and stop as on the training thread`, () => {
    const there = diagnosed(name, true);
    const here = diagnosed(name, false);
    assert.deepEqual(there, here);
    if (name !== 'healthy-relu-3-adam') assert.ok(here.fired.length > 0, 'something fired');
  });
}

test('with stopOnError, training stops at the same step on either thread', () => {
  const there = diagnosed('vanishing-sigmoid-8-sgd', true, { stopOnError: true });
  const here = diagnosed('vanishing-sigmoid-8-sgd', false, { stopOnError: true });
  assert.ok(here.fired.some((v) => v.severity === 'error'));
  assert.deepEqual(there, here);
  assert.ok(here.lastStep < diagnosed('vanishing-sigmoid-8-sgd', false).lastStep, 'it stopped');
});

test('a Diagnoser that trains twice keeps the first training’s records on either thread', () => {
  const twice = (thread: boolean) => {
    const diagnoser = new Diagnoser({ thread, print: null });
    trainZooRun(spec('healthy-relu-3-adam'), diagnoser.sink, [diagnoser]);
    trainZooRun(spec('vanishing-sigmoid-8-sgd'), diagnoser.sink, [diagnoser]);
    return { fired: diagnoser.fired, verdicts: diagnoser.verdicts };
  };
  const there = twice(true);
  assert.ok(there.verdicts.length > 0);
  assert.deepEqual(there, twice(false));
});

test('between evaluations, records go over once the log holds LOG_LIMIT words', () => {
  const fed = (thread: boolean) => {
    const diagnoser = new Diagnoser({ thread, print: null });
    const tags = ['loss', ...Array.from({ length: 999 }, (_, k) => `x/${k}`)];
    const group = diagnoser.sink.scalarGroup!(tags);
    const values = new Float32Array(tags.length);
    const model = { stopTraining: false };
    let most = 0;
    for (let step = 0; step < 2500; step++) {
      values.fill(step);
      values[0] = 2 + Math.sin(step / 50); // a loss that neither falls nor settles
      group.write(values, step, 0);
      diagnoser.onBatchEnd({ step, model } as unknown as StepContext);
      most = Math.max(most, (diagnoser as unknown as { run: LiveRun }).run.heldWords);
    }
    diagnoser.onTrainEnd();
    return { verdicts: diagnoser.verdicts, fired: diagnoser.fired, most };
  };
  const there = fed(true);
  const here = fed(false);
  // Looked at every 16 steps, of 1,001 words each.
  assert.ok(there.most <= LOG_LIMIT + 16 * 1001, `held ${there.most} words`);
  assert.ok(here.most > LOG_LIMIT, 'on the training thread the log moves into columns instead');
  assert.ok(here.verdicts.length > 0);
  assert.deepEqual(there.verdicts, here.verdicts);
  assert.deepEqual(there.fired, here.fired);
});

test('a rule that fails on the rules’ thread fails the training, naming the run and step', () => {
  for (const thread of [true, false]) {
    const diagnoser = new Diagnoser({
      thread,
      name: 'broken',
      print: null,
      thresholds: { vanishing_gradient: { noSuchThreshold: 1 } },
    });
    assert.throws(
      () => trainZooRun(spec('healthy-relu-3-adam'), diagnoser.sink, [diagnoser]),
      /noSuchThreshold/,
      `thread ${thread}`,
    );
  }
});

test('a rules’ thread that cannot start is an error in seconds, not a wait', () => {
  // Its code throws as it loads, as a broken install's would.
  const file = new URL('data:text/javascript,throw new Error("cannot load")');
  const thread = new EvaluationThread({ file, startTimeoutMs: 300 });
  const delta = new LiveRun().takeDelta();
  const request = { run: 0, name: 'r', command: undefined, delta, rules: 'none' as const };
  const id = thread.request({ ...request, thresholds: {}, commandFlags: undefined }, () => {
    throw new Error('not answered');
  });
  const started = Date.now();
  assert.throws(() => thread.wait(id), /evaluation thread did not start in 300 ms/);
  assert.ok(Date.now() - started < 5000);
});

test('GRADSCOPE_DIAGNOSE_THREAD takes 0 or 1', () => {
  assert.equal(threadSetting({}), true);
  assert.equal(threadSetting({ GRADSCOPE_DIAGNOSE_THREAD: '0' }), false);
  assert.throws(
    () => threadSetting({ GRADSCOPE_DIAGNOSE_THREAD: 'yes' }),
    /must be 0 or 1\. Received: GRADSCOPE_DIAGNOSE_THREAD=yes/,
  );
});
