import test from 'node:test';
import assert from 'node:assert/strict';
import { lineChart } from '../../src/charts/line.js';
import { renderPng, renderSvg } from '../../src/report/render.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function textSvg(fontFamily: string, text: string): string {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">' +
    '<rect width="200" height="60" fill="white"/>' +
    `<text x="10" y="42" font-family="${fontFamily}" font-size="32">${text}</text></svg>`
  );
}

test('renderPng: PNG magic, and pixel size = SVG size × scale', async () => {
  const svg = await renderSvg(
    lineChart({
      title: 'Loss',
      x: { field: 'epoch' },
      y: { field: 'loss' },
      data: [
        { epoch: 1, loss: 0.9 },
        { epoch: 2, loss: 0.5 },
        { epoch: 3, loss: 0.3 },
      ],
    }),
  );
  const svgWidth = Number(/^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
  const svgHeight = Number(/^<svg[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
  assert.ok(svgWidth > 560 && svgHeight > 300, `chart SVG is ${svgWidth}×${svgHeight}`);

  const png = renderPng(svg);
  assert.deepEqual(png.subarray(0, 8), PNG_MAGIC);
  assert.deepEqual(pngSize(png), {
    width: Math.round(svgWidth * 2),
    height: Math.round(svgHeight * 2),
  });
  assert.ok(png.length > 10_000 && png.length < 2_000_000, `PNG of ${png.length} bytes`);

  const small = renderPng(svg, { scale: 1 });
  assert.deepEqual(pngSize(small), { width: Math.round(svgWidth), height: Math.round(svgHeight) });
});

test('renderPng draws text, falling back to DejaVu Sans for unknown fonts', () => {
  const blank = renderPng(textSvg('DejaVu Sans', ''));
  const dejavu = renderPng(textSvg('DejaVu Sans', 'Hg 10⁵'));
  const unknown = renderPng(textSvg('No Such Font', 'Hg 10⁵'));
  assert.notDeepEqual(dejavu, blank, 'text must change the pixels (a font was found)');
  assert.deepEqual(unknown, dejavu, 'an unknown family renders exactly as DejaVu Sans');
});

test('renderPng rejects a bad scale', () => {
  assert.throws(() => renderPng(textSvg('DejaVu Sans', 'x'), { scale: 0 }), {
    name: 'ValueError',
    message: 'renderPng: scale must be in (0, 16]. Received: scale=0',
  });
});
