import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTitanic, prepareTitanic } from '../../src/data/titanic.js';
import { runTitanic } from '../../src/experiments/titanic/train.js';
import type { TitanicRun, TitanicRunArgs } from '../../src/experiments/titanic/train.js';
import { titanicFacts, titanicFindings } from '../../src/experiments/titanic/findings.js';
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

test('the verdict comes from the numbers: frozen only when W0 moves far less than W1', () => {
  const frozen = titanicFacts(syntheticRun({ W0: 1e-4, W1: 1e-2, W2: 1e-2 }));
  assert.equal(frozen.w0Froze, true);
  assert.ok(Math.abs(frozen.signalDecay - 0.05) < 1e-12);
  assert.match(
    titanicFindings(syntheticRun({ W0: 1e-4, W1: 1e-2, W2: 1e-2 }), frozen, 20)[0],
    /effectively frozen/,
  );
  const moving = titanicFacts(syntheticRun({ W0: 1e-2, W1: 1e-2, W2: 1e-2 }));
  assert.equal(moving.w0Froze, false);
  assert.match(
    titanicFindings(syntheticRun({ W0: 1e-2, W1: 1e-2, W2: 1e-2 }), moving, 20)[0],
    /did not freeze/,
  );
});

test('a run of 10 updates or fewer still gives numbers, never NaN', async () => {
  const run = await runTitanic(args({ updates: 6 }));
  const facts = titanicFacts(run);
  assert.equal(facts.earlyUpdates, 3);
  for (const line of titanicFindings(run, facts, 6)) assert.doesNotMatch(line, /NaN/);
});

test('with squared norms the signal decay is still the ratio of L2 norms', async () => {
  const l2 = titanicFacts(await runTitanic(args({ updates: 12 })));
  const squared = titanicFacts(await runTitanic(args({ updates: 12, normKind: 'squared' })));
  assert.ok(Math.abs(squared.signalDecay - l2.signalDecay) <= 1e-6 * l2.signalDecay);
});
