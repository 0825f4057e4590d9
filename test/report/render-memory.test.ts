/**
 * The report's figures do not pile up in memory: resvg keeps each rendered image's pixels in
 * native memory that only a garbage collection frees (see releaseRenderedImages), so a report
 * of many figures held several MB per figure until it was written. Measured in a fresh
 * process, where the peak resident size is the report's alone.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const FIGURES = 20;

/** A fresh process writes a report of FIGURES line charts; returns its peak RSS growth, MiB. */
function reportGrowthMiB(): { growth: number; perFigurePixelsMiB: number } {
  const html = new URL('../../src/report/html.js', import.meta.url).href;
  const line = new URL('../../src/charts/line.js', import.meta.url).href;
  const script = `
import { writeReport } from ${JSON.stringify(html)};
import { lineChart } from ${JSON.stringify(line)};
const figure = (i) => ({
  id: 'f' + i, title: 'loss', caption: 'loss',
  spec: lineChart({ title: 'loss ' + i, x: { field: 't' }, y: { field: 'v' },
    data: Array.from({ length: 50 }, (_, t) => ({ t, v: Math.sin(t + i) })) }),
});
const report = { title: 't', subtitle: 's', generatedAt: new Date(0), meta: {},
  sections: [{ id: 's', title: 's', intro: 'i', findings: [], tables: [],
    figures: Array.from({ length: ${FIGURES} }, (_, i) => figure(i)) }] };
let pixels = 0;
// One figure first, so that the modules and the first render's buffers count as the baseline.
await writeReport({ ...report, sections: [{ ...report.sections[0], figures: [figure(0)] }] }, '', {
  writeFiles(files) { const png = files[0].data; pixels = png.readUInt32BE(16) * png.readUInt32BE(20) * 4; },
});
const before = process.resourceUsage().maxRSS;
await writeReport(report, '', { writeFiles() {} });
const growth = (process.resourceUsage().maxRSS - before) / 1024;
process.stdout.write(JSON.stringify({ growth, perFigurePixelsMiB: pixels / 2 ** 20 }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, `the child report failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { growth: number; perFigurePixelsMiB: number };
}

test(`a report of ${FIGURES} figures holds fewer than a quarter of their pixels at once`, () => {
  const { growth, perFigurePixelsMiB } = reportGrowthMiB();
  const allPixels = FIGURES * perFigurePixelsMiB;
  assert.ok(perFigurePixelsMiB > 2, `each figure has ${perFigurePixelsMiB} MiB of pixels`);
  assert.ok(
    growth < allPixels / 4,
    `peak memory grew by ${growth.toFixed(1)} MiB over ${FIGURES} figures of ` +
      `${perFigurePixelsMiB.toFixed(2)} MiB of pixels each (${allPixels.toFixed(0)} MiB in all)`,
  );
});
