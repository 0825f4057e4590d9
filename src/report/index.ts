/** The report renderer: chart specs → SVG/PNG → one self-contained HTML file. */
export { type AxisArgs, type Row, spansDecades } from './axes.js';
export { type BarChartArgs, barChart } from './bar.js';
export {
  type LineChartArgs,
  lineChart,
  type RuleArgs,
  type SmallMultiplesArgs,
  smallMultiplesLineChart,
  type VegaLiteSpec,
} from './charts.js';
export { escapeHtml, formatNumber } from './format.js';
export { type HistogramRidgeArgs, type HistogramRow, histogramRidgeChart } from './histogram.js';
export { renderHtml, writeReport } from './html.js';
export { type RenderPngArgs, renderPng, renderSvg } from './render.js';
export type { Figure, Report, ReportSection, Table } from './types.js';
