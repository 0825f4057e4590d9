import test from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { spansDecades } from '../../src/charts/axes.js';
import { barChart } from '../../src/charts/bar.js';
import { lineChart, smallMultiplesLineChart, type VegaLiteSpec } from '../../src/charts/line.js';
import { histogramRidgeChart } from '../../src/charts/histogram.js';
import { renderSvg } from '../../src/report/render.js';

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

/** A Vega-Lite logger that records warnings and turns errors into exceptions. */
function recordingLogger(warnings: string[]): Logger {
  const logger: Logger = {
    level: () => logger,
    error(...args) {
      throw new Error(args.join(' '));
    },
    warn(...args) {
      warnings.push(args.join(' '));
      return this;
    },
    info() {
      return this;
    },
    debug() {
      return this;
    },
  };
  return logger;
}

/** Compiles `spec`, failing on any Vega-Lite warning (they flag ignored or invalid settings). */
function compileCleanly(spec: VegaLiteSpec): void {
  const warnings: string[] = [];
  const vega = compile(spec, { logger: recordingLogger(warnings) }).spec;
  assert.deepEqual(warnings, []);
  assert.ok(Array.isArray(vega.marks) && vega.marks.length > 0);
}

const growth = Array.from({ length: 12 }, (_, i) => ({ step: i + 1, norm: 3 ** i, run: 'a' }));
const shrink = Array.from({ length: 12 }, (_, i) => ({ step: i + 1, norm: 0.5 ** i, run: 'b' }));

test('spansDecades compares max/min of the positive values with 10^decades', () => {
  assert.equal(spansDecades([1, 99]), false);
  assert.equal(spansDecades([1, 100]), true);
  assert.equal(spansDecades([0, -5, 0.5, 40]), false, 'zero and negatives are ignored');
  assert.equal(spansDecades([0.001, 0.5], 2), true);
  assert.equal(spansDecades([2, 30], 1), true);
  assert.equal(spansDecades([]), false);
  assert.equal(spansDecades([7]), false);
});

test('lineChart: log y over decades compiles cleanly and labels powers of ten', async () => {
  const spec = lineChart({
    title: 'Gradient norm through time',
    x: { field: 'step', title: 'time step t', format: 'd' },
    y: { field: 'norm', title: 'norm of dh', scale: 'log' },
    series: 'run',
    seriesTitle: 'which run',
    data: [...growth, ...shrink],
    points: true,
    rules: [{ value: 100, label: 'max_norm = 100' }],
  });
  compileCleanly(spec);
  const svg = await renderSvg(spec);
  assert.ok(svg.startsWith('<svg'));
  for (const text of ['Gradient norm through time', 'time step t', 'norm of dh', 'which run']) {
    assert.ok(svg.includes(text), `SVG should contain '${text}'`);
  }
  assert.ok(svg.includes('max_norm = 100'), 'rule label');
  // 3^11 ≈ 1.8e5 and 0.5^11 ≈ 4.9e-4: the axis reaches 10⁵ and 10⁻⁴ in superscript form.
  assert.ok(svg.includes('>10⁵<'), 'superscript label for 1e5');
  assert.ok(svg.includes('>10⁻⁴<'), 'superscript label for 1e-4');
  assert.ok(svg.includes('>100<') && svg.includes('>0.01<'), 'plain labels near 1');
});

test('lineChart rejects a log scale over non-positive values and empty data', () => {
  const data = [
    { x: 1, y: 2 },
    { x: 2, y: 0 },
  ];
  assert.throws(
    () => lineChart({ title: 't', x: { field: 'x' }, y: { field: 'y', scale: 'log' }, data }),
    /lineChart: a log scale needs positive values of 'y'. Received: 0/,
  );
  assert.throws(
    () => lineChart({ title: 't', x: { field: 'x' }, y: { field: 'y' }, data: [] }),
    /lineChart: data must hold at least one row. Received: 0 rows/,
  );
});

test('smallMultiplesLineChart draws one panel per facet value', async () => {
  const data = ['dense_1', 'dense_2', 'dense_3'].flatMap((layer, l) =>
    [1, 2, 3].map((epoch) => ({ layer, epoch, norm: 10 ** -l * epoch })),
  );
  const spec = smallMultiplesLineChart({
    title: 'Per layer',
    x: { field: 'epoch', format: 'd' },
    y: { field: 'norm', title: 'gradient norm', scale: 'log' },
    facet: 'layer',
    data,
    independentY: true,
  });
  compileCleanly(spec);
  const svg = await renderSvg(spec);
  for (const text of ['Per layer', 'dense_1', 'dense_2', 'dense_3', 'gradient norm']) {
    assert.ok(svg.includes(text), `SVG should contain '${text}'`);
  }
  assert.equal(svg.match(/aria-roledescription="line mark"/g)?.length, 3);
});

test('barChart groups bars by series', async () => {
  const spec = barChart({
    title: 'Gradient by layer',
    x: { field: 'layer', title: 'layer name' },
    y: { field: 'norm', title: 'mean norm' },
    series: 'activation',
    data: [
      { layer: 'd1', norm: 0.1, activation: 'sigmoid' },
      { layer: 'd1', norm: 0.5, activation: 'relu' },
      { layer: 'd2', norm: 0.02, activation: 'sigmoid' },
      { layer: 'd2', norm: 0.4, activation: 'relu' },
    ],
  });
  compileCleanly(spec);
  const svg = await renderSvg(spec);
  for (const text of ['Gradient by layer', 'layer name', 'mean norm', 'sigmoid', 'relu']) {
    assert.ok(svg.includes(text), `SVG should contain '${text}'`);
  }
  assert.equal(svg.match(/aria-roledescription="bar"/g)?.length, 4);
});

test('histogramRidgeChart draws one ridge per epoch', async () => {
  const data = [1, 2, 3].flatMap((epoch) =>
    [-1, -0.5, 0, 0.5].map((left) => ({ epoch, left, right: left + 0.5, count: epoch + left + 2 })),
  );
  const spec = histogramRidgeChart({ title: 'Weights over time', xTitle: 'weight', data });
  compileCleanly(spec);
  const svg = await renderSvg(spec);
  for (const text of ['Weights over time', 'weight', 'epoch']) {
    assert.ok(svg.includes(text), `SVG should contain '${text}'`);
  }
  assert.equal(svg.match(/aria-roledescription="area mark"/g)?.length, 3);
  assert.throws(
    () => histogramRidgeChart({ title: 't', data: [{ epoch: 1, left: 1, right: 0, count: 1 }] }),
    /histogramRidgeChart: each bucket needs right >= left and count >= 0/,
  );
});
