/**
 * Renders Vega-Lite specs to SVG in Node (Vega's headless view: no canvas, no browser) and
 * SVG to PNG with resvg.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { collectGarbage } from '../collect-garbage.js';
import { ValueError } from '../engine/errors.js';
import type { VegaLiteSpec } from '../charts/line.js';

/** The family resvg substitutes for any font it cannot find. */
const PNG_FALLBACK_FONT = 'DejaVu Sans';

/** Compiles `spec` to Vega and renders it to a standalone SVG document. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface RenderPngArgs {
  /** Output pixels per SVG pixel; 2 gives crisp figures on high-density screens. Defaults to 2. */
  scale?: number;
}

/** Rasterises `svg` to PNG on a white background, using the system fonts. */
export function renderPng(svg: string, { scale = 2 }: RenderPngArgs = {}): Buffer {
  if (!(scale > 0 && scale <= 16)) {
    throw new ValueError(`renderPng: scale must be in (0, 16]. Received: scale=${scale}`);
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: PNG_FALLBACK_FONT },
  });
  return resvg.render().asPng();
}

/**
 * Frees the pixels of the images `renderPng` rendered so far. resvg keeps each image's pixels
 * (several MB at scale 2) in native memory that V8 does not count, so nothing prompts a
 * garbage collection, and the native finalizers run only on a later turn of the event loop:
 * a report of 27 figures held 130 MB of dead pixels at its end. A full collection, then one
 * turn of the loop, releases them.
 */
export async function releaseRenderedImages(): Promise<void> {
  collectGarbage();
  await nextTurn();
}
