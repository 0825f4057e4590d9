/**
 * A layer × step heatmap of one positive quantity (gradient norm, update ratio, signal norm) on a
 * log colour scale: vanishing shows as a band that fades toward the input-side rows, exploding
 * as one that brightens. Rows run from the input side (top) to the output side (bottom), in the
 * order the data lists them.
 */
import { checkData, type VegaLiteSpec } from './line.js';
import { CHART_WIDTH, THEME, VEGA_LITE_SCHEMA } from './theme.js';

/** One cell: `value` of `layer` at `step`. Cells whose value is not positive are left blank. */
export interface HeatmapRow {
  layer: string;
  step: number;
  value: number;
  [field: string]: string | number;
}

export interface HeatmapArgs {
  title: string;
  data: readonly HeatmapRow[];
  /** Legend title of the colour scale, e.g. '‖∂L/∂W‖'. */
  valueTitle: string;
  /** Plot width in pixels. Defaults to 560. */
  width?: number;
  /** Height of one layer's row in pixels. Defaults to 22. */
  rowHeight?: number;
}

const DEFAULT_ROW_HEIGHT = 22;

export function heatmapChart(args: HeatmapArgs): VegaLiteSpec {
  checkData('heatmapChart', args.data);
  // A log scale cannot place 0, NaN or Infinity: those cells stay empty rather than break it.
  const cells = args.data.filter((row) => row.value > 0 && Number.isFinite(row.value));
  const layers = [...new Set(args.data.map((row) => row.layer))];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: args.title,
    width: args.width ?? CHART_WIDTH,
    height: layers.length * (args.rowHeight ?? DEFAULT_ROW_HEIGHT),
    data: { values: cells.map((row) => ({ ...row })) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'step', type: 'ordinal', title: 'step', axis: { labelOverlap: true } },
      y: { field: 'layer', type: 'nominal', title: 'layer (input side on top)', sort: layers },
      color: {
        field: 'value',
        type: 'quantitative',
        title: args.valueTitle,
        scale: { type: 'log', scheme: 'viridis' },
        legend: { format: '.2~g' },
      },
      tooltip: [
        { field: 'layer', type: 'nominal' },
        { field: 'step', type: 'quantitative' },
        { field: 'value', type: 'quantitative', format: '.3~e' },
      ],
    },
    config: THEME,
  };
}
