import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTitanic, prepareTitanic } from '../../src/data/titanic.js';
import { runTitanic } from '../../src/experiments/titanic/train.js';
import type { TitanicRun, TitanicRunArgs } from '../../src/experiments/titanic/train.js';
import {
  articleFinding,
  titanicFacts,
  titanicFindings,
} from '../../src/experiments/titanic/findings.js';
import { checkRun, type CheckedRun } from '../../src/experiments/verdicts.js';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import type { Verdict } from '../../src/diagnose/rule.js';
import { buildRunData } from '../../src/diagnose/run-data.js';
import { DirectoryProvider } from '../../src/log/provider.js';

const data = prepareTitanic(loadTitanic(), { seed: 0 });
const LR = 0.1;

function args(overrides: Partial<TitanicRunArgs> = {}): TitanicRunArgs {
  return {
    data,
    activation: 'sigmoid',
    updates: 15,
    batchSize: 32,
    optimizer: 'sgd',
    learningRate: LR,
    seed: 0,
    normKind: 'l2',
    logDir: mkdtempSync(join(tmpdir(), 'titanic-')),
    ...overrides,
  };
}

test('one series value per update, for each weight matrix', async () => {
  const run = await runTitanic(args());
  assert.equal(run.series.loss.length, 15);
  for (const w of ['W0', 'W1', 'W2'] as const) {
    for (const series of [
      run.series.gradNorm,
      run.series.element,
      run.series.updateRatio,
      run.series.signalNorm,
    ]) {
      assert.equal(series[w].length, 15, w);
      assert.ok(series[w].every(Number.isFinite));
    }
  }
});

test('with plain SGD an element moves by at most lr·‖g‖ per update', async () => {
  const run = await runTitanic(args());
  for (const w of ['W0', 'W1', 'W2'] as const) {
    const path = [run.initialElement[w], ...run.series.element[w]];
    for (let k = 1; k < path.length; k++) {
      const moved = Math.abs(path[k] - path[k - 1]);
      assert.ok(
        moved <= LR * run.series.gradNorm[w][k - 1] * (1 + 1e-5) + 1e-9,
        `${w} update ${k}: ${moved}`,
      );
    }
  }
});

test('the same seed gives the same run; the event files hold the same loss series', async () => {
  const first = args();
  const a = await runTitanic(first);
  const b = await runTitanic(args());
  assert.deepEqual(a.series, b.series);
  const points = await new DirectoryProvider(first.logDir).readScalars('.', 'loss');
  assert.deepEqual(
    points.map((p) => p.value),
    a.series.loss.map((v) => Math.fround(v)),
  );
});

test('squared norms are the squares of the L2 norms', async () => {
  const l2 = await runTitanic(args({ updates: 5 }));
  const squared = await runTitanic(args({ updates: 5, normKind: 'squared' }));
  l2.series.gradNorm.W0.forEach((norm, k) => {
    assert.ok(Math.abs(squared.series.gradNorm.W0[k] - norm * norm) <= 1e-9 + 1e-6 * norm * norm);
  });
});

function syntheticRun(ratios: Record<'W0' | 'W1' | 'W2', number>): TitanicRun {
  const n = 20;
  const constant = (v: number) => Array.from({ length: n }, () => v);
  const series = {
    gradNorm: { W0: constant(0.01), W1: constant(0.1), W2: constant(1) },
    element: { W0: constant(0), W1: constant(0), W2: constant(0) },
    updateRatio: { W0: constant(ratios.W0), W1: constant(ratios.W1), W2: constant(ratios.W2) },
    signalNorm: { W0: constant(0.02), W1: constant(0.1), W2: constant(0.4) },
    loss: constant(0.6),
  };
  return {
    activation: 'sigmoid',
    normKind: 'l2',
    series,
    initialElement: { W0: 0, W1: 0, W2: 0 },
    validation: { loss: 0.6, accuracy: 0.6 },
    train: { loss: 0.6, accuracy: 0.6 },
  };
}

/** Diagnose's reading of a run, with the verdicts given (no data: the article finding reads none). */
function checkedWith(verdicts: Verdict[]): CheckedRun {
  return { data: buildRunData(emptyContents), diagnosis: { verdicts, skipped: [] } };
}

const emptyContents = {
  name: 'run',
  tags: { scalars: [], histograms: [], texts: [], order: [] },
  scalars: new Map(),
  histograms: new Map(),
};

test("the article's frozen W0 beside this run: the measured W1/W0 and diagnose's verdicts", () => {
  const facts = titanicFacts(syntheticRun({ W0: 1e-4, W1: 1e-2, W2: 1e-2 }));
  assert.ok(Math.abs(facts.signalDecay - 0.05) < 1e-12);
  const vanishing: Verdict = {
    check: 'vanishing_gradient',
    severity: 'warning',
    layer: 'dense_1/kernel',
    firstStep: 0,
    lastStep: 19,
    evidence: {},
    message: 'measured',
    remedy: 'remedy',
  };
  assert.match(
    articleFinding(facts, checkedWith([vanishing])),
    /W1 moved 100× as much as W0 per update after update 10, and diagnose gives a vanishing_gradient warning on dense_1\/kernel\.$/,
  );
  assert.match(
    articleFinding(facts, checkedWith([])),
    /diagnose gives no vanishing_gradient or unchanged_weights verdict on it\.$/,
  );
});

test('a run of 10 updates or fewer still gives numbers and diagnose sentences, never NaN', async () => {
  const runArgs = args({ updates: 6 });
  const run = await runTitanic(runArgs);
  const facts = titanicFacts(run);
  assert.equal(facts.earlyUpdates, 3);
  const checked = await checkRun(new DirectoryProvider(runArgs.logDir), '.');
  const lines = titanicFindings(run, facts, 6, checked);
  for (const line of lines) assert.doesNotMatch(line, /NaN/);
  // The sigmoid run logs saturation, not dead units: that check is stated, the other left out.
  assert.ok(lines.some((line) => /^sigmoid: diagnose gives (a|no) vanishing_gradient/.test(line)));
  assert.ok(lines.some((line) => /saturated_activation/.test(line)));
  assert.ok(!lines.some((line) => /dead_relu/.test(line)));
});

test('with squared norms the signal decay is still the ratio of L2 norms', async () => {
  const l2 = titanicFacts(await runTitanic(args({ updates: 12 })));
  const squared = titanicFacts(await runTitanic(args({ updates: 12, normKind: 'squared' })));
  assert.ok(Math.abs(squared.signalDecay - l2.signalDecay) <= 1e-6 * l2.signalDecay);
});

test('the live Diagnoser prints each verdict and writes it into the run', async () => {
  const lines: string[] = [];
  // A learning rate of 5 kills ReLU units: dead_relu and learning_rate_too_high fire.
  const run = args({
    activation: 'relu',
    learningRate: 5,
    updates: 100,
    onVerdict: (line) => lines.push(line),
  });
  await runTitanic(run);
  const provider = new DirectoryProvider(run.logDir);
  const { verdicts } = await diagnoseRun(provider, '.');
  assert.ok(verdicts.length >= 2, verdicts.map((v) => v.check).join(', '));
  const texts = (await provider.listTags('.')).texts;
  for (const check of new Set(verdicts.map((v) => v.check))) {
    assert.ok(texts.includes(`verdicts/${check}`), `${check} written as text`);
    const [first] = await provider.readTexts('.', `verdicts/${check}`);
    assert.ok(first.step <= 100, `${check} at step ${first.step}`);
    assert.ok(
      lines.some(
        (line) => line.startsWith(`gradscope: titanic/relu: step `) && line.includes(check),
      ),
      `${check} printed`,
    );
  }
});
