import test from 'node:test';
import assert from 'node:assert/strict';
import {
  eigenvalues2x2,
  fittedGrowthFactor,
  singularValues2x2,
} from '../../src/experiments/rnn/linalg.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseGrowth } from '../../src/experiments/rnn/findings.js';
import { runRnnExperiment } from '../../src/experiments/rnn/index.js';
import { rnnSection } from '../../src/experiments/rnn/section.js';
import { RNN_LAYER } from '../../src/experiments/rnn/train.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { throughTimeTag } from '../../src/probe/tags.js';
import { referenceRnn } from './rnn-reference.js';

function assertRelClose(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what}: ${actual} vs ${expected} (relative error ${err})`);
}

function assertAllRelClose(actual: number[], expected: number[], rel: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  expected.forEach((e, i) => assertRelClose(actual[i], e, rel, `${what}[${i}]`));
}

// Produced with Python 3 + numpy 2.4 (float64), the article's code in working order:
//   N, H, T = 2, 2, 20
//   np.random.seed(3); dh = np.ones((N, H)); Wh = np.random.randn(H, H)
//   for t in range(T):
//       dh = np.dot(dh, Wh.T); norm_list.append(np.sqrt(np.sum(dh**2)) / N)
// and again with the article's clip_grads(dh, max_norm=100) after each np.dot.
const NUMPY_WH = [
  [1.7886284734303186, 0.43650985051198943],
  [0.09649746807200862, -1.8634927033644908],
];
const NUMPY_NORMS = [
  2.0091680768695186, 3.3613922005535626, 6.768489074841763, 11.340183149147228, 22.8710587863009,
  38.39774288620997, 77.51650839685918, 130.48336747253643, 263.50867530158496, 444.96391257836547,
  898.3670554112938, 1522.476772917954, 3071.311359658929, 5225.791437186931, 10528.038724332544,
  17990.178141651795, 36179.199588922784, 62101.02793673878, 124619.69766477434, 214899.56186021597,
];
const NUMPY_CLIPPED_NORMS = [
  2.0091680768695186, 3.3613922005535626, 6.768489074841763, 11.340183149147228, 22.8710587863009,
  38.39774288620997, 49.999999677488056, 49.999999702964026, 49.999999752411625, 49.99999970389882,
  49.999999752348494, 49.99999970496527, 49.999999752145484, 49.99999970613912, 49.99999975181554,
  49.999999707394814, 49.99999975137403, 49.999999708706916, 49.99999975083783, 49.9999997100513,
];
// numpy: s = np.linalg.svd(Wh, compute_uv=False); np.linalg.eigvals(Wh);
// np.exp(np.polyfit(np.arange(1, 21), np.log(norm_list), 1)[0]).
const NUMPY_SINGULAR_VALUES = [2.0194838431561686, 1.6713271641506549];
const NUMPY_EIGENVALUES = [1.8001258753725857, -1.874990105306758];
const NUMPY_FITTED_GROWTH = 1.8465636233118319;
// numpy: the same loop with Wh2 = Wh * 0.5 / s[0]; np.linalg.svd(Wh2) gives [0.5, 0.41380057825533434].
const NUMPY_VANISHING_NORMS = [
  0.4974459398817155, 0.20605275748155735, 0.10272605173913699, 0.0426126510990806,
  0.02127817503467828, 0.008844706469773853, 0.0044208069677302364, 0.0018424347972374434,
  0.0009212160802574874, 0.00038514210889628505, 0.00019252168427730905, 8.078042472914126e-5,
  4.0346784067746855e-5, 1.6996784663369132e-5, 8.477968418184398e-6, 3.5868185399332945e-6,
  1.7859221266581714e-6, 7.589828694845008e-7, 3.7709389337620284e-7, 1.6100077169966247e-7,
];

// The float64 reference is checked against numpy to 1e-9; the engine computes in float32 (its
// weights, activations and gradients are float32), so it is checked against the reference at
// ENGINE_RTOL: float32's relative precision, 6e-8 per rounding, grown over 20 steps through Wh.
const reference = referenceRnn();
const ENGINE_RTOL = 2e-6;
const result = await runRnnExperiment();
const referenceGrowth = analyseGrowth(reference.wh, reference.norms);

test('reference: Wh is numpy seed 3 randn(2, 2), and the norms match numpy to 1e-9', () => {
  assert.deepEqual(reference.wh, NUMPY_WH);
  assertAllRelClose(reference.norms, NUMPY_NORMS, 1e-9, 'norms');
});

test('reference: clipped norms match numpy to 1e-9; the total never exceeds max_norm', () => {
  assertAllRelClose(reference.clippedNorms, NUMPY_CLIPPED_NORMS, 1e-9, 'clippedNorms');
  for (const total of reference.clippedTotalNorms) assert.ok(total <= 100 + 1e-9, `${total}`);
  assert.deepEqual(
    reference.clippedSteps,
    Array.from({ length: 14 }, (_, i) => i + 7),
  );
});

test('engine: Wh is the reference Wh; ∂L/∂h through time matches the reference (float32)', () => {
  assert.deepEqual(result.wh, reference.wh);
  assertAllRelClose(result.norms, reference.norms, ENGINE_RTOL, 'engine norms');
  assertAllRelClose(result.vanishingNorms, reference.vanishingNorms, ENGINE_RTOL, 'vanishing');
});

test('engine: the clipped curve matches the per-step clipped reference (float32)', () => {
  assertAllRelClose(result.clippedNorms, reference.clippedNorms, ENGINE_RTOL, 'clipped');
  assert.deepEqual(result.clippedSteps, reference.clippedSteps);
  for (const total of result.clippedTotalNorms) assert.ok(total <= 100 * (1 + 1e-6), `${total}`);
});

test("engine: the global-norm clipper scaled the step's parameter gradient to max_norm", () => {
  const { normBefore, normAfter } = result.parameterClip;
  assert.ok(normBefore > 100, `the parameter gradient was large (${normBefore})`);
  assertRelClose(normAfter, 100, 1e-6, 'after clipping');
});

test('engine: the run directory holds one through-time curve of T + 1 points', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-'));
  const onDisk = await runRnnExperiment({}, dir);
  const provider = new DirectoryProvider(dir);
  assert.deepEqual(await provider.listRuns(), ['exploding', 'vanishing']);
  const points = await provider.readScalars('exploding', throughTimeTag(RNN_LAYER, 0));
  assert.deepEqual(
    points.map((p) => p.step),
    Array.from({ length: 21 }, (_, i) => i + 1),
  );
  // t = T + 1 holds ∂L/∂h at the last hidden state: ones(2, 2), norm 2.
  assert.equal(points[20].value, 2);
  assert.deepEqual(onDisk.norms, result.norms);
});

test('singular values, eigenvalues and fitted growth match numpy', () => {
  assertAllRelClose(result.growth.singularValues, NUMPY_SINGULAR_VALUES, 1e-12, 'singular values');
  const byModulus = [...NUMPY_EIGENVALUES].sort((a, b) => Math.abs(b) - Math.abs(a));
  result.growth.eigenvalues.forEach((lambda, i) => {
    assert.equal(lambda.im, 0);
    assertRelClose(lambda.re, byModulus[i], 1e-12, `eigenvalue ${i}`);
  });
  assertRelClose(result.growth.spectralRadius, 1.874990105306758, 1e-12, 'spectral radius');
  assertRelClose(referenceGrowth.fittedGrowth, NUMPY_FITTED_GROWTH, 1e-9, 'fitted growth');
  assertRelClose(result.growth.fittedGrowth, NUMPY_FITTED_GROWTH, ENGINE_RTOL, 'engine growth');
  assert.equal(result.growth.stepRatios.length, 19);
  assertRelClose(referenceGrowth.stepRatios[0], NUMPY_NORMS[1] / NUMPY_NORMS[0], 1e-9, 'ratio');
});

test('the vanishing case has σmax = 0.5, matches numpy, and shrinks at every step', () => {
  assertAllRelClose(
    result.vanishingGrowth.singularValues,
    [0.5, 0.41380057825533434],
    1e-12,
    'scaled singular values',
  );
  assertAllRelClose(reference.vanishingNorms, NUMPY_VANISHING_NORMS, 1e-9, 'vanishingNorms');
  result.vanishingNorms.slice(1).forEach((norm, t) => {
    assert.ok(norm < result.vanishingNorms[t], `step ${t + 2} shrinks`);
  });
});

test('2×2 closed forms agree with hand-worked matrices', () => {
  // [[3, 0], [4, 5]]: σ₁² + σ₂² = 50 and σ₁σ₂ = |det| = 15, so σ² = 45 and 5.
  assertAllRelClose(
    singularValues2x2([
      [3, 0],
      [4, 5],
    ]),
    [Math.sqrt(45), Math.sqrt(5)],
    1e-15,
    'σ',
  );
  // A rotation by 90°: eigenvalues ±i, both of modulus 1.
  const rotation = eigenvalues2x2([
    [0, -1],
    [1, 0],
  ]);
  assert.deepEqual(rotation, [
    { re: 0, im: 1 },
    { re: 0, im: -1 },
  ]);
  // Triangular: eigenvalues are the diagonal, largest modulus first.
  const triangular = eigenvalues2x2([
    [2, 7],
    [0, -3],
  ]);
  assert.deepEqual(
    triangular.map((z) => z.re),
    [-3, 2],
  );
  assertRelClose(fittedGrowthFactor([1, 3, 9, 27]), 3, 1e-14, 'exact geometric series');
  assert.throws(
    () =>
      singularValues2x2([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    {
      name: 'ValueError',
      message: 'singularValues2x2: expected a 2×2 matrix. Received: shape [2, 3|3]',
    },
  );
});

test('rnnSection findings are computed from the run', () => {
  const section = rnnSection(result);
  assert.equal(section.id, 'rnn');
  assert.deepEqual(
    section.figures.map((f) => f.id),
    ['rnn-norms', 'rnn-step-ratios', 'rnn-vanishing'],
  );
  const text = section.findings.join(' ');
  assert.match(text, /from 2\.009 at t = 1 to 214,900 at t = 20: ×1\.847 per step/);
  assert.match(text, /close to the spectral radius \|λ\|max = 1\.875/);
  assert.match(text, /first acts at t = 7/);
  assert.match(text, /to 1\.61 × 10⁻⁷ after 20 steps/);
  assert.match(section.intro, /first listing uses dh before assigning it/);
});

test('runRnnExperiment validates its arguments', async () => {
  await assert.rejects(() => runRnnExperiment({ H: 3 }), {
    name: 'ValueError',
    message: 'runRnnExperiment: H must be 2. Received: H=3',
  });
  await assert.rejects(() => runRnnExperiment({ maxNorm: 0 }), {
    name: 'ValueError',
    message: 'runRnnExperiment: maxNorm must be positive. Received: maxNorm=0',
  });
  await assert.rejects(
    () => runRnnExperiment({ N: 1.5 }),
    /N must be a positive integer. Received: N=1.5/,
  );
});
