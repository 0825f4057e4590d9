/** Charts of a diverged run or a vanished gradient: NaN, Infinity and 0 on a log axis. */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { LeftOut } from '../../src/charts/axes.js';
import { barChart } from '../../src/charts/bar.js';
import { histogramRidgeChart } from '../../src/charts/histogram.js';
import { lineChart, smallMultiplesLineChart, type VegaLiteSpec } from '../../src/charts/line.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSvg } from '../../src/report/render.js';

const leftOut = (spec: VegaLiteSpec) =>
  (spec.usermeta as { leftOut?: LeftOut } | undefined)?.leftOut;

const values = (spec: VegaLiteSpec) =>
  ((spec as { data?: { values?: unknown[] } }).data?.values ?? []) as Record<string, unknown>[];

// A gradient that vanished to exactly 0, then a step that went NaN, then Infinity.
const rows = [
  { step: 0, norm: 0.5, layer: 'dense_1' },
  { step: 1, norm: 0, layer: 'dense_1' },
  { step: 2, norm: NaN, layer: 'dense_1' },
  { step: 3, norm: Infinity, layer: 'dense_1' },
  { step: 4, norm: 0.25, layer: 'dense_1' },
];

test('line charts leave out non-finite values everywhere and values ≤ 0 on a log axis, and count them', async () => {
  const log = lineChart({
    title: 'norms',
    x: { field: 'step' },
    y: { field: 'norm', scale: 'log' },
    data: rows,
  });
  assert.deepEqual(leftOut(log), { leftOut: 3, total: 5 });
  assert.deepEqual(
    values(log).map((r) => r.step),
    [0, 4],
  );
  assert.ok((await renderSvg(log)).startsWith('<svg'));
  const linear = lineChart({
    title: 'norms',
    x: { field: 'step' },
    y: { field: 'norm' },
    data: rows,
  });
  assert.deepEqual(leftOut(linear), { leftOut: 2, total: 5 }, '0 is drawn on a linear axis');
  const finite = lineChart({
    title: 'ok',
    x: { field: 'step' },
    y: { field: 'norm' },
    data: rows.slice(0, 2),
  });
  assert.equal(leftOut(finite), undefined, 'nothing left out, nothing said');
  const ruled = lineChart({
    title: 'ruled',
    x: { field: 'step' },
    y: { field: 'norm', scale: 'log' },
    data: rows,
    rules: [{ value: 1, label: 'max' }],
  });
  assert.ok((await renderSvg(ruled)).startsWith('<svg'));
  const panels = smallMultiplesLineChart({
    title: 'panels',
    x: { field: 'step' },
    y: { field: 'norm', scale: 'log' },
    facet: 'layer',
    data: rows,
  });
  assert.deepEqual(leftOut(panels), { leftOut: 3, total: 5 });
  assert.ok((await renderSvg(panels)).startsWith('<svg'));
});

test('a chart whose every value is non-finite still renders, empty', async () => {
  const allNaN = rows.map((row) => ({ ...row, norm: NaN }));
  const spec = lineChart({
    title: 'gone',
    x: { field: 'step' },
    y: { field: 'norm', scale: 'log' },
    data: allNaN,
  });
  assert.deepEqual(leftOut(spec), { leftOut: 5, total: 5 });
  assert.ok((await renderSvg(spec)).startsWith('<svg'));
});

test('bar and histogram charts leave out non-finite values too', async () => {
  const bars = barChart({
    title: 'bars',
    x: { field: 'layer' },
    y: { field: 'norm', scale: 'log' },
    data: rows.map((row, i) => ({ ...row, layer: `l${i}` })),
  });
  assert.deepEqual(leftOut(bars), { leftOut: 3, total: 5 });
  assert.ok((await renderSvg(bars)).startsWith('<svg'));
  const histogram = histogramRidgeChart({
    title: 'weights',
    data: [
      { epoch: 0, left: -1, right: 0, count: 3 },
      { epoch: 0, left: 0, right: 1, count: 2 },
      { epoch: 1, left: NaN, right: NaN, count: 5 },
    ],
  });
  assert.deepEqual(leftOut(histogram), { leftOut: 1, total: 3 });
  assert.ok((await renderSvg(histogram)).startsWith('<svg'));
});

test("the report's caption says how many points a chart left out", () => {
  const spec = lineChart({
    title: 'norms',
    x: { field: 'step' },
    y: { field: 'norm', scale: 'log' },
    data: rows,
  });
  const html = renderHtml(
    {
      title: 'r',
      subtitle: 's',
      generatedAt: new Date(0),
      meta: {},
      sections: [
        {
          id: 'a',
          title: 'A',
          intro: '',
          findings: [],
          notices: ['dense_1 diverged at step 2'],
          figures: [{ id: 'norms', title: 'Norms', caption: 'The norm per step.', spec }],
          tables: [],
        },
      ],
    },
    new Map([['norms', '<svg></svg>']]),
  );
  assert.match(
    html,
    /The norm per step\. 3 of 5 points are not drawn: not finite, or not positive on a log axis\./,
  );
  assert.match(html, /<div class="notice" role="alert"><ul><li>dense_1 diverged at step 2<\/li>/);
});
