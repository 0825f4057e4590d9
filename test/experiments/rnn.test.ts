import test from 'node:test';
import assert from 'node:assert/strict';
import {
  eigenvalues2x2,
  fittedGrowthFactor,
  singularValues2x2,
} from '../../src/experiments/rnn/linalg.js';
import { rnnSection } from '../../src/experiments/rnn/section.js';
import { runRnnExperiment } from '../../src/experiments/rnn/train.js';

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

const result = runRnnExperiment();

test('Wh is numpy seed 3 randn(2, 2), and the norms match numpy to 1e-9', () => {
  assert.deepEqual(result.wh, NUMPY_WH);
  assertAllRelClose(result.norms, NUMPY_NORMS, 1e-9, 'norms');
});

test('clipped norms match numpy to 1e-9 and the total norm never exceeds max_norm', () => {
  assertAllRelClose(result.clippedNorms, NUMPY_CLIPPED_NORMS, 1e-9, 'clippedNorms');
  for (const total of result.clippedTotalNorms) assert.ok(total <= 100 + 1e-9, `${total}`);
  assert.deepEqual(
    result.clippedSteps,
    Array.from({ length: 14 }, (_, i) => i + 7),
  );
});

test('singular values, eigenvalues and fitted growth match numpy', () => {
  assertAllRelClose(result.growth.singularValues, NUMPY_SINGULAR_VALUES, 1e-12, 'singular values');
  const byModulus = [...NUMPY_EIGENVALUES].sort((a, b) => Math.abs(b) - Math.abs(a));
  result.growth.eigenvalues.forEach((lambda, i) => {
    assert.equal(lambda.im, 0);
    assertRelClose(lambda.re, byModulus[i], 1e-12, `eigenvalue ${i}`);
  });
  assertRelClose(result.growth.spectralRadius, 1.874990105306758, 1e-12, 'spectral radius');
  assertRelClose(result.growth.fittedGrowth, NUMPY_FITTED_GROWTH, 1e-9, 'fitted growth');
  assert.equal(result.growth.stepRatios.length, 19);
  assertRelClose(result.growth.stepRatios[0], NUMPY_NORMS[1] / NUMPY_NORMS[0], 1e-9, 'ratio');
});

test('the vanishing case has σmax = 0.5, matches numpy, and shrinks at every step', () => {
  assertAllRelClose(
    result.vanishingGrowth.singularValues,
    [0.5, 0.41380057825533434],
    1e-12,
    'scaled singular values',
  );
  assertAllRelClose(result.vanishingNorms, NUMPY_VANISHING_NORMS, 1e-9, 'vanishingNorms');
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

test('runRnnExperiment validates its arguments', () => {
  assert.throws(() => runRnnExperiment({ H: 3 }), {
    name: 'ValueError',
    message: 'runRnnExperiment: H must be 2. Received: H=3',
  });
  assert.throws(() => runRnnExperiment({ maxNorm: 0 }), {
    name: 'ValueError',
    message: 'runRnnExperiment: maxNorm must be positive. Received: maxNorm=0',
  });
  assert.throws(
    () => runRnnExperiment({ N: 1.5 }),
    /N must be a positive integer. Received: N=1.5/,
  );
});
