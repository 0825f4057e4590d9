/**
 * The one look shared by every gradscope chart, in the report and in the browser dashboard.
 *
 * The font is DejaVu Sans because the PNG renderer (resvg) has no browser fallback chain: it
 * must find the named family on disk, and CI installs fonts-dejavu-core.
 */
import type { Config } from 'vega-lite';

/** Font family named in every chart; browsers fall back to their sans-serif. */
export const CHART_FONT = 'DejaVu Sans, Verdana, sans-serif';

/** Width of a single chart's plotting area, in SVG pixels. */
export const CHART_WIDTH = 560;

/** Height of a single chart's plotting area, in SVG pixels. */
export const CHART_HEIGHT = 300;

/** Width of one panel in a small-multiples chart. */
export const PANEL_WIDTH = 260;

/** Height of one panel in a small-multiples chart. */
export const PANEL_HEIGHT = 160;

/** The Vega-Lite schema the specs are written against. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export const THEME: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', offset: 12 },
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: 'normal',
    gridColor: '#e4e4e4',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: {
    labelLimit: 280,
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    symbolStrokeWidth: 3,
  },
  header: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
  view: { stroke: '#d0d0d0' },
  line: { strokeWidth: 2 },
  range: { category: { scheme: 'tableau10' } },
};
