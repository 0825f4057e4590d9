/**
 * Builders of Vega-Lite specs for lines and bars. They return plain JSON specs, so the report
 * (rendered in Node) and the dashboard (rendered in the browser) draw the same charts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ValueError } from '../engine/errors.js';
import { type AxisArgs, leftOutMeta, plottableRows, positionalScale, type Row } from './axes.js';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  PANEL_HEIGHT,
  PANEL_WIDTH,
  THEME,
  VEGA_LITE_SCHEMA,
} from './theme.js';

/** A Vega-Lite specification ready to compile. */
export type VegaLiteSpec = TopLevelSpec;

/** A labelled horizontal reference line, e.g. a clipping threshold. */
export interface RuleArgs {
  /** Where the line crosses the y axis, in data units. */
  value: number;
  /** Text drawn at the line's right end. */
  label: string;
}

/** What every x/y chart takes: axes, data, an optional series field and the plot size. */
export interface XYChartArgs {
  /** Chart title. */
  title: string;
  /** The x axis. */
  x: AxisArgs;
  /** The y axis; pick scale 'log' when the values span decades (see `spansDecades`). */
  y: AxisArgs;
  /** Field whose values become one coloured line (or bar) each, with a legend. Defaults to none. */
  series?: string;
  /** Legend title. Defaults to the series field name. */
  seriesTitle?: string;
  /** The rows to plot. */
  data: readonly Row[];
  /** Plot width in pixels. Defaults to 560. */
  width?: number;
  /** Plot height in pixels. Defaults to 300. */
  height?: number;
}

export interface LineChartArgs extends XYChartArgs {
  /** Whether to mark each data point. Defaults to false. */
  points?: boolean;
  /**
   * A layer that shows the points nearest the pointer, with their values (the dashboard's): its
   * dataset HOVER_DATA starts empty and the page fills it as the pointer moves, so a long series
   * costs one path, not one mark per point. Defaults to false.
   */
  hoverPoints?: boolean;
  /** Horizontal reference lines. Defaults to none. */
  rules?: readonly RuleArgs[];
}

/**
 * The dataset of the `hoverPoints` layer: rows of the chart's data (x, y and series fields),
 * `label`, the text written at the top of the plot beside the hovered x, and `labelX`, `labelY`,
 * where it starts in pixels from the plot's top left (one line per series, so labels never
 * overlap; left of the hovered x when they would run past the plot).
 */
export const HOVER_DATA = 'hover';

/** Gap between the plot's right edge and a rule's label, in pixels. */
const RULE_LABEL_GAP = 6;

/** A generous average width of one 11px label character, in pixels. */
const LABEL_CHAR_WIDTH = 6.5;

/** Throws unless there is data to plot. */
export function checkData(owner: string, data: readonly Row[]): void {
  if (data.length === 0) {
    throw new ValueError(`${owner}: data must hold at least one row. Received: 0 rows`);
  }
}

/** The legend-bearing colour channel for `series`, in data order; nothing without a series. */
export function seriesColor(args: XYChartArgs) {
  if (args.series === undefined) return {};
  const title = args.seriesTitle ?? args.series;
  return { color: { field: args.series, type: 'nominal' as const, title, sort: null } };
}

function lineEncoding(args: LineChartArgs, owner: string) {
  const y = positionalScale(args.y, args.data, owner);
  const x = positionalScale(args.x, args.data, owner);
  const tooltipFields = [args.series, args.x.field, args.y.field].filter((f) => f !== undefined);
  return {
    x: {
      field: args.x.field,
      type: args.x.type ?? 'quantitative',
      title: args.x.title ?? args.x.field,
      ...x,
    },
    y: {
      field: args.y.field,
      type: args.y.type ?? 'quantitative',
      title: args.y.title ?? args.y.field,
      ...y,
    },
    ...seriesColor(args),
    tooltip: tooltipFields.map((field) => ({ field })),
  };
}

/** A rule at the hovered x, and each hovered point with its label (see HOVER_DATA). */
function hoverLayer(args: LineChartArgs, owner: string) {
  const { x, y, color, tooltip } = lineEncoding(args, owner);
  return {
    data: { name: HOVER_DATA },
    layer: [
      { mark: { type: 'rule' as const, color: '#8a94a3' }, encoding: { x } },
      {
        mark: { type: 'point' as const, filled: true, size: 50 },
        encoding: { x, y, color, tooltip },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, fontSize: 11 },
        encoding: {
          x: { field: 'labelX', type: 'quantitative' as const, scale: null },
          y: { field: 'labelY', type: 'quantitative' as const, scale: null },
          color,
          text: { field: 'label' },
        },
      },
    ],
  };
}

/** A line chart, optionally one line per `series` value, with optional reference lines. */
export function lineChart(given: LineChartArgs): VegaLiteSpec {
  checkData('lineChart', given.data);
  const { rows, left } = plottableRows(given.data, [given.x, given.y]);
  const args = { ...given, data: rows };
  const line = {
    mark: { type: 'line' as const, point: args.points ?? false },
    encoding: lineEncoding(args, 'lineChart'),
  };
  const hover = args.hoverPoints ? [hoverLayer(args, 'lineChart')] : [];
  const rules = args.rules ?? [];
  const base = {
    $schema: VEGA_LITE_SCHEMA,
    title: args.title,
    width: args.width ?? CHART_WIDTH,
    height: args.height ?? CHART_HEIGHT,
    config: THEME,
    ...leftOutMeta(left),
  };
  if (rules.length === 0 && hover.length === 0)
    return { ...base, data: { values: [...args.data] }, ...line };
  if (rules.length === 0)
    return { ...base, layer: [{ data: { values: [...args.data] }, ...line }, ...hover] };
  const ruleRows = rules.map((rule) => ({ value: rule.value, label: rule.label }));
  // Rule labels sit right of the plot; a legend there must clear the longest one.
  const labelWidth = Math.max(...rules.map((rule) => rule.label.length)) * LABEL_CHAR_WIDTH;
  const legend = { ...THEME.legend, offset: RULE_LABEL_GAP + labelWidth };
  const yScale = positionalScale(args.y, args.data, 'lineChart').scale;
  const ruleY = { field: 'value', type: 'quantitative' as const, ...(yScale && { scale: yScale }) };
  return {
    ...base,
    config: { ...THEME, legend },
    layer: [
      { data: { values: [...args.data] }, ...line },
      {
        data: { values: ruleRows },
        mark: { type: 'rule', color: '#b03030', strokeDash: [6, 4] },
        encoding: { y: ruleY },
      },
      {
        data: { values: ruleRows },
        // Labels sit outside the plot, right of it, so they never hide the data.
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'middle',
          x: 'width',
          dx: 6,
          color: '#b03030',
        },
        encoding: { y: ruleY, text: { field: 'label' } },
      },
      ...hover,
    ],
  };
}

export interface SmallMultiplesArgs extends Omit<LineChartArgs, 'rules' | 'width' | 'height'> {
  /** Field whose values each get their own panel, e.g. the layer name. */
  facet: string;
  /** Panel header title. Defaults to the facet field name. */
  facetTitle?: string;
  /** Panels per row. Defaults to 2. */
  columns?: number;
  /** Whether each panel gets its own y range. Defaults to false (shared, comparable). */
  independentY?: boolean;
  /** Panel width in pixels. Defaults to 260. */
  width?: number;
  /** Panel height in pixels. Defaults to 160. */
  height?: number;
}

/** One small line chart per `facet` value, e.g. one panel per layer, in a grid. */
export function smallMultiplesLineChart(given: SmallMultiplesArgs): VegaLiteSpec {
  checkData('smallMultiplesLineChart', given.data);
  const { rows, left } = plottableRows(given.data, [given.x, given.y]);
  const args = { ...given, data: rows };
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...leftOutMeta(left),
    title: args.title,
    data: { values: [...args.data] },
    columns: args.columns ?? 2,
    facet: { field: args.facet, type: 'nominal', title: args.facetTitle ?? args.facet, sort: null },
    spec: {
      width: args.width ?? PANEL_WIDTH,
      height: args.height ?? PANEL_HEIGHT,
      mark: { type: 'line', point: args.points ?? false },
      encoding: lineEncoding(args, 'smallMultiplesLineChart'),
    },
    resolve: { scale: { y: args.independentY ? 'independent' : 'shared' } },
    config: THEME,
  };
}
