import test from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPARED_ACTIVATIONS,
  ACTIVATIONS,
  activationCurves,
} from '../../src/experiments/activations/curves.js';
import { activationsSection } from '../../src/experiments/activations/section.js';
import {
  readActivationCurves,
  writeActivationCurves,
} from '../../src/experiments/activations/records.js';
import { MemoryProvider } from '../../src/log/memory-provider.js';
import { erf, LEAKY_RELU_ALPHA } from '../../src/engine/activations.js';

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

test('the grid has 241 points from -6 to 6 and hits 0 exactly', () => {
  const { x } = activationCurves();
  assert.equal(x.length, 241);
  assert.equal(x[0], -6);
  assert.equal(x[240], 6);
  assert.equal(x[120], 0);
});

test("sigmoid' peaks at 0.25 at x = 0 and tanh' at 1 at x = 0", () => {
  const { derivativePeaks } = activationCurves();
  assertClose(derivativePeaks.sigmoid.value, 0.25, 1e-12, "max sigmoid'");
  assertClose(derivativePeaks.sigmoid.at, 0, 1e-12, "argmax sigmoid'");
  assertClose(derivativePeaks.tanh.value, 1, 1e-12, "max tanh'");
  assertClose(derivativePeaks.tanh.at, 0, 1e-12, "argmax tanh'");
  // A finer, off-centre grid still never exceeds 0.25.
  const fine = activationCurves({ from: -3.3, to: 2.9, points: 1001 });
  assert.ok(Math.max(...fine.curves.sigmoid.derivative) <= 0.25);
});

test('five stacked sigmoid layers are the first to shrink a gradient below 1e-3', () => {
  const { sigmoidLayersToThousandth: n, derivativePeaks } = activationCurves();
  assert.equal(n, 5);
  const shrink = derivativePeaks.sigmoid.value;
  assert.ok(shrink ** (n - 1) > 1e-3 && shrink ** n <= 1e-3, 'n is the first such depth');
});

test('every derivative matches a central finite difference', () => {
  const h = 1e-5;
  const { x, curves } = activationCurves();
  for (const name of COMPARED_ACTIVATIONS) {
    const { output } = ACTIVATIONS[name];
    x.forEach((xi, i) => {
      const kinked = (name === 'relu' || name === 'leaky_relu') && Math.abs(xi) < 2 * h;
      if (kinked) return;
      const numeric = (output(xi + h) - output(xi - h)) / (2 * h);
      assertClose(curves[name].derivative[i], numeric, 1e-8, `${name}'(${xi})`);
    });
  }
});

test("the kinks follow TensorFlow: relu'(0) = 0, leaky_relu'(0) = alpha (0.2, Keras)", () => {
  assert.equal(ACTIVATIONS.relu.der(0), 0);
  assert.equal(LEAKY_RELU_ALPHA, 0.2);
  assert.equal(ACTIVATIONS.leaky_relu.der(0), LEAKY_RELU_ALPHA);
  assert.equal(ACTIVATIONS.leaky_relu.output(-2), -0.4);
});

// Produced with Python's math.erf: [math.erf(x) for x in xs] and
// [0.5*x*(1+math.erf(x/math.sqrt(2))) for x in xs].
const XS = [-4.5, -1.3, -0.2, 0.7, 2.5, 5.9];
const ERF = [
  -0.9999999998033839, -0.9340079449406524, -0.22270258921047847, 0.6778011938374184,
  0.999593047982555, 0.9999999999999999,
];
const GELU = [
  -1.5289529061324192e-5, -0.12584062996129347, -0.0841480581121794, 0.5306254434438489,
  2.4844758366855597, 5.899999989276703,
];

test('erf and exact GELU match Python math.erf', () => {
  // Absolute tolerances: for x ≪ 0, GELU = ½x(1 + erf) keeps only erf's absolute accuracy.
  XS.forEach((x, i) => {
    assertClose(erf(x), ERF[i], 2e-15, `erf(${x})`);
    assertClose(ACTIVATIONS.gelu.output(x), GELU[i], 4e-15, `gelu(${x})`);
  });
  assert.equal(erf(0), 0);
  assert.equal(erf(-7), -1);
  // numpy: 1/(1+np.exp(-2.0)), np.tanh(0.5)
  assertClose(ACTIVATIONS.sigmoid.output(2), 0.8807970779778823, 1e-16, 'sigmoid(2)');
  assertClose(ACTIVATIONS.tanh.output(0.5), 0.46211715726000974, 1e-16, 'tanh(0.5)');
});

test('activationsSection states the computed facts and carries its figures and tables', () => {
  const section = activationsSection(activationCurves());
  assert.equal(section.id, 'activations');
  assert.deepEqual(
    section.figures.map((f) => f.id),
    ['activation-functions', 'activation-derivatives', 'activation-sigmoid-depth'],
  );
  const text = section.findings.join(' ');
  assert.match(text, /sigmoid′ peaks at 0\.25 \(at x = 0\)/);
  assert.match(text, /5 stacked layers shrink it below 0\.001/);
  assert.equal(section.tables[0].rows.length, COMPARED_ACTIVATIONS.length);
  assert.equal(section.tables[1].rows[4][1], 0.25 ** 5);
});

test('activationCurves validates its grid', () => {
  assert.throws(() => activationCurves({ points: 1 }), {
    name: 'ValueError',
    message: 'activationCurves: points must be an integer ≥ 2. Received: 1',
  });
  assert.throws(() => activationCurves({ from: 1, to: 1 }), {
    name: 'ValueError',
    message: "activationCurves: 'to' must exceed 'from'. Received: 1..1",
  });
});

test('the curves round-trip through a run: read back as float32, same findings', async () => {
  const computed = activationCurves();
  const provider = new MemoryProvider();
  writeActivationCurves(provider.run('activations'), computed);
  const read = await readActivationCurves(provider, 'activations');
  assert.deepEqual(read.x, computed.x.map(Math.fround));
  assert.deepEqual(read.curves.gelu.derivative, computed.curves.gelu.derivative.map(Math.fround));
  assert.equal(read.sigmoidLayersToThousandth, computed.sigmoidLayersToThousandth);
  assert.deepEqual(activationsSection(read).findings, activationsSection(computed).findings);
});
