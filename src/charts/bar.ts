/** Builder of Vega-Lite bar charts, e.g. one gradient norm per layer, grouped by run. */
import { leftOutMeta, plottableRows, positionalScale } from './axes.js';
import { checkData, seriesColor, type VegaLiteSpec, type XYChartArgs } from './line.js';
import { CHART_HEIGHT, CHART_WIDTH, THEME, VEGA_LITE_SCHEMA } from './theme.js';

/** The x axis is the category axis; its type defaults to 'nominal' here. */
export type BarChartArgs = XYChartArgs;

/** A bar chart in data order, grouped by `series` when given. */
export function barChart(given: BarChartArgs): VegaLiteSpec {
  checkData('barChart', given.data);
  const { rows, left } = plottableRows(given.data, [given.y]);
  const args = { ...given, data: rows };
  const color =
    args.series === undefined
      ? {}
      : {
          ...seriesColor(args),
          xOffset: { field: args.series, type: 'nominal' as const, sort: null },
        };
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...leftOutMeta(left),
    title: args.title,
    width: args.width ?? CHART_WIDTH,
    height: args.height ?? CHART_HEIGHT,
    data: { values: [...args.data] },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: args.x.field,
        type: args.x.type ?? 'nominal',
        title: args.x.title ?? args.x.field,
        sort: null,
        // A 30-layer model's names would overlap: the greedy rule drops every other one instead.
        axis: { labelAngle: 0, labelOverlap: 'greedy' },
      },
      y: {
        field: args.y.field,
        type: args.y.type ?? 'quantitative',
        title: args.y.title ?? args.y.field,
        ...positionalScale(args.y, args.data, 'barChart'),
        // Grouped, never stacked: a stack starts at 0, which a log axis cannot place.
        stack: null,
      },
      ...color,
      tooltip: [args.series, args.x.field, args.y.field]
        .filter((f) => f !== undefined)
        .map((field) => ({ field })),
    },
    config: THEME,
  };
}
