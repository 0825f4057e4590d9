import test from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, formatNumber } from '../../src/charts/format.js';
import { scopeSvgIds } from '../../src/report/inline-svg.js';

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(
    escapeHtml(`<script>alert("x" & 'y')</script>`),
    '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
  );
  assert.equal(
    escapeHtml('&amp;'),
    '&amp;amp;',
    'an entity already in the text is shown literally',
  );
  assert.equal(escapeHtml('σmax ‖dh‖'), 'σmax ‖dh‖');
});

test('formatNumber: integers in full, others to 4 significant digits, extremes as m × 10ⁿ', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [7, '7'],
    [-42, '−42'],
    [123456, '123,456'],
    [0.25, '0.25'],
    [0.1049935854035065, '0.105'],
    [1.8465636233118319, '1.847'],
    [49.999999677488056, '50'],
    [1522.476772917954, '1,522'],
    [214899.56186021597, '214,900'],
    [0.001, '0.001'],
    [0.0009765625, '9.766 × 10⁻⁴'],
    [1.6100077169966247e-7, '1.61 × 10⁻⁷'],
    [-2.5e-5, '−2.5 × 10⁻⁵'],
    [2e6, '2 × 10⁶'],
    [12345678.9, '1.235 × 10⁷'],
    [NaN, 'NaN'],
    [Infinity, '∞'],
    [-Infinity, '−∞'],
  ];
  for (const [value, text] of cases)
    assert.equal(formatNumber(value), text, `formatNumber(${value})`);
});

test('scopeSvgIds prefixes ids and every reference to them', () => {
  const svg =
    '<svg><defs><clipPath id="clip1"><rect/></clipPath><linearGradient id="g_0"/></defs>' +
    '<g clip-path="url(#clip1)"><path fill="url(#g_0)"/><use xlink:href="#clip1"/>' +
    '<use href="#g_0"/></g></svg>';
  assert.equal(
    scopeSvgIds(svg, 'fig'),
    '<svg><defs><clipPath id="fig-clip1"><rect/></clipPath><linearGradient id="fig-g_0"/></defs>' +
      '<g clip-path="url(#fig-clip1)"><path fill="url(#fig-g_0)"/><use xlink:href="#fig-clip1"/>' +
      '<use href="#fig-g_0"/></g></svg>',
  );
});
