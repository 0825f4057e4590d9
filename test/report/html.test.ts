import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineChart } from '../../src/charts/line.js';
import { histogramRidgeChart } from '../../src/charts/histogram.js';
import { renderHtml, writeReport, type Report } from '../../src/report/html.js';

const EVIL = '<script>alert(1)</script>';
const EVIL_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

function sampleReport(): Report {
  const norms = [2, 30, 400, 5000].map((norm, i) => ({ t: i + 1, norm }));
  const buckets = [1, 2].flatMap((epoch) =>
    [0, 1, 2].map((left) => ({ epoch, left, right: left + 1, count: left + epoch })),
  );
  return {
    title: `Report ${EVIL}`,
    subtitle: 'Fish & "chips"',
    generatedAt: new Date('2024-05-06T07:08:09.000Z'),
    meta: { seed: '3', note: EVIL },
    sections: [
      {
        id: 'explode',
        title: `Exploding ${EVIL}`,
        intro: `First paragraph ${EVIL}.\n\nSecond paragraph.`,
        findings: [`Norm grows ${EVIL}`],
        figures: [
          {
            id: 'norms',
            title: `Norms ${EVIL}`,
            caption: `Log scale ${EVIL}`,
            spec: lineChart({
              title: `Chart ${EVIL}`,
              x: { field: 't' },
              y: { field: 'norm', scale: 'log' },
              data: norms,
            }),
          },
        ],
        tables: [
          {
            caption: `Numbers ${EVIL}`,
            columns: ['t', EVIL],
            rows: [
              [1, 214899.56],
              [2, EVIL],
            ],
          },
        ],
      },
      {
        id: 'weights',
        title: 'Weights',
        intro: 'Histograms.',
        findings: [],
        figures: [
          {
            id: 'hist',
            title: 'Ridges',
            caption: 'One per epoch.',
            spec: histogramRidgeChart({ title: 'W', data: buckets }),
          },
        ],
        tables: [],
      },
    ],
  };
}

test('writeReport writes one self-contained, escaped HTML file and a PNG per figure', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gradscope-report-'));
  try {
    const written = await writeReport(sampleReport(), dir);
    assert.equal(written.html, join(dir, 'report.html'));
    assert.deepEqual(written.pngs, [
      join(dir, 'figures', 'norms.png'),
      join(dir, 'figures', 'hist.png'),
    ]);
    for (const png of written.pngs) {
      assert.deepEqual((await readFile(png)).subarray(0, 4), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    }
    const html = await readFile(written.html, 'utf8');

    for (const id of ['explode', 'weights']) {
      assert.ok(html.includes(`<section id="${id}">`), `section ${id}`);
      assert.ok(html.includes(`href="#${id}"`), `contents link to ${id}`);
    }
    assert.ok(html.includes('<figure id="fig-norms">') && html.includes('href="#fig-hist"'));
    assert.equal((html.match(/<svg\b/g) ?? []).length, 2, 'both figures inline');

    assert.doesNotMatch(html, /<script/i, 'no script element anywhere, not even from chart text');
    assert.ok(!html.includes(EVIL), 'the raw text never appears');
    for (const context of [
      `<title>Report ${EVIL_ESCAPED}</title>`,
      `<h1>Report ${EVIL_ESCAPED}</h1>`,
      `<dd>${EVIL_ESCAPED}</dd>`,
      `<h2>Exploding ${EVIL_ESCAPED}</h2>`,
      `<p>First paragraph ${EVIL_ESCAPED}.</p>`,
      `<li>Norm grows ${EVIL_ESCAPED}</li>`,
      `Norms ${EVIL_ESCAPED}.</b> Log scale ${EVIL_ESCAPED}<a`,
      `aria-label="Norms ${EVIL_ESCAPED}"`,
      `Numbers ${EVIL_ESCAPED}</caption>`,
      `<th scope="col">${EVIL_ESCAPED}</th>`,
      `<td>${EVIL_ESCAPED}</td>`,
      `Chart ${EVIL_ESCAPED}</text>`,
    ]) {
      assert.ok(html.includes(context), `escaped in context: ${context}`);
    }
    assert.ok(html.includes('Fish &amp; &quot;chips&quot;'));
    assert.ok(html.includes('<p>Second paragraph.</p>'), 'blank line starts a paragraph');

    assert.doesNotMatch(
      html,
      /(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i,
      'no external src/href',
    );
    assert.doesNotMatch(html, /url\(\s*["']?(?:https?:)?\/\//i, 'no external CSS url()');
    assert.doesNotMatch(html, /@import|<link\b|<img\b|<iframe\b/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.length > 0);
    for (const href of hrefs) assert.match(href, /^(#|figures\/[\w-]+\.png$)/, `href ${href}`);

    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique across inline SVGs');

    assert.ok(html.includes('<td class="num" title="214899.56">214,900</td>'));
    assert.ok(html.includes('<dd>2024-05-06T07:08:09.000Z</dd>'));
    assert.ok(html.includes('Figure 2. Ridges'), 'figures are numbered through the report');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('renderHtml rejects malformed and repeated ids', () => {
  const bad = sampleReport();
  bad.sections[1].id = 'two words';
  assert.throws(() => renderHtml(bad, new Map()), {
    name: 'ValueError',
    message: "writeReport: ids must be letters, digits, '-' or '_'. Received: 'two words'",
  });
  const repeated = sampleReport();
  repeated.sections[1].figures[0].id = 'norms';
  assert.throws(() => renderHtml(repeated, new Map()), {
    name: 'ValueError',
    message: "writeReport: ids must be unique. Received: 'norms' twice",
  });
});

test('writeReport removes PNGs an earlier report left in figures/, and only PNGs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gradscope-report-'));
  await mkdir(join(dir, 'figures'), { recursive: true });
  await writeFile(join(dir, 'figures', 'old-figure.png'), 'stale');
  await writeFile(join(dir, 'figures', 'notes.txt'), 'keep');
  await writeReport(sampleReport(), dir);
  const names = (await readdir(join(dir, 'figures'))).sort();
  assert.deepEqual(names, ['hist.png', 'norms.png', 'notes.txt']);
});
