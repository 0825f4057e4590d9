/**
 * TensorBoard-like histograms over training time: one ridge per epoch, stacked top to bottom
 * and overlapping slightly (TensorBoard's "offset" mode), each filled in a colour that darkens
 * with the epoch, so a distribution that drifts, widens or collapses shows at a glance.
 */
import { ValueError } from '../engine/errors.js';
import type { VegaLiteSpec } from './line.js';
import { CHART_WIDTH, THEME, VEGA_LITE_SCHEMA } from './theme.js';

/** One histogram bucket of one epoch: `count` values fell in [left, right). */
export interface HistogramRow {
  epoch: number;
  left: number;
  right: number;
  count: number;
}

export interface HistogramRidgeArgs {
  /** Chart title. */
  title: string;
  /** The buckets of every epoch. */
  data: readonly HistogramRow[];
  /** Title of the value axis. Defaults to 'value'. */
  xTitle?: string;
  /** Title of the epoch axis. Defaults to 'epoch'. */
  epochTitle?: string;
  /** Height of one ridge in pixels. Defaults to 28. */
  ridgeHeight?: number;
  /** How far a ridge may rise into the one above, in ridge heights. Defaults to 0.8. */
  overlap?: number;
  /** Plot width in pixels. Defaults to 560. */
  width?: number;
}

const DEFAULT_RIDGE_HEIGHT = 28;
const DEFAULT_OVERLAP = 0.8;

function checkRows(data: readonly HistogramRow[]): void {
  if (data.length === 0) {
    throw new ValueError('histogramRidgeChart: data must hold at least one bucket. Received: 0');
  }
  for (const row of data) {
    if (!(row.right >= row.left) || !(row.count >= 0)) {
      throw new ValueError(
        'histogramRidgeChart: each bucket needs right >= left and count >= 0. ' +
          `Received: ${JSON.stringify(row)}`,
      );
    }
  }
}

/** One ridge per epoch; counts share one scale, so ridges compare directly. */
export function histogramRidgeChart(args: HistogramRidgeArgs): VegaLiteSpec {
  checkRows(args.data);
  const overlap = args.overlap ?? DEFAULT_OVERLAP;
  const ridgeHeight = args.ridgeHeight ?? DEFAULT_RIDGE_HEIGHT;
  const epochTitle = args.epochTitle ?? 'epoch';
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: args.title,
    // Lay rows out by their nominal height, not by the ridges that rise out of them.
    bounds: 'flush',
    data: { values: args.data.map((row) => ({ ...row })) },
    transform: [{ calculate: '(datum.left + datum.right) / 2', as: 'center' }],
    width: args.width ?? CHART_WIDTH,
    height: ridgeHeight,
    mark: {
      type: 'area',
      interpolate: 'monotone',
      fillOpacity: 0.85,
      stroke: 'white',
      strokeWidth: 1,
    },
    encoding: {
      row: {
        field: 'epoch',
        type: 'ordinal',
        title: epochTitle,
        header: { labelAngle: 0, labelAnchor: 'start', labelBaseline: 'bottom' },
      },
      x: {
        field: 'center',
        type: 'quantitative',
        title: args.xTitle ?? 'value',
        axis: { grid: false },
      },
      y: {
        field: 'count',
        type: 'quantitative',
        axis: null,
        // Each ridge is its own distribution: never stack one epoch's counts on another's.
        stack: null,
        // A literal range: inside a facet the 'height' signal is the whole chart's, not a ridge's.
        scale: { range: [ridgeHeight, -overlap * ridgeHeight] },
      },
      fill: {
        field: 'epoch',
        type: 'quantitative',
        scale: { scheme: 'viridis', reverse: true },
        legend: null,
      },
      tooltip: [
        { field: 'epoch', type: 'ordinal' },
        { field: 'left', type: 'quantitative' },
        { field: 'right', type: 'quantitative' },
        { field: 'count', type: 'quantitative' },
      ],
    },
    config: { ...THEME, facet: { spacing: 0 }, view: { stroke: null } },
  };
}

export interface HistogramOverlayArgs {
  /** Chart title. */
  title: string;
  /** The buckets of every step (the `epoch` field holds the step). */
  data: readonly HistogramRow[];
  /** Title of the value axis. Defaults to 'value'. */
  xTitle?: string;
  /** Plot width in pixels. Defaults to 560. */
  width?: number;
  /** Plot height in pixels. Defaults to 220. */
  height?: number;
}

/** Every step's distribution as one line over the same axes, coloured from early to late. */
export function histogramOverlayChart(args: HistogramOverlayArgs): VegaLiteSpec {
  checkRows(args.data);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: args.title,
    data: { values: args.data.map((row) => ({ ...row })) },
    transform: [{ calculate: '(datum.left + datum.right) / 2', as: 'center' }],
    width: args.width ?? CHART_WIDTH,
    height: args.height ?? 220,
    mark: { type: 'line', interpolate: 'monotone', strokeWidth: 1.2, opacity: 0.8 },
    encoding: {
      x: { field: 'center', type: 'quantitative', title: args.xTitle ?? 'value' },
      y: { field: 'count', type: 'quantitative', title: 'count' },
      detail: { field: 'epoch', type: 'ordinal' },
      color: {
        field: 'epoch',
        type: 'quantitative',
        title: 'step',
        scale: { scheme: 'viridis', reverse: true },
      },
      tooltip: [
        { field: 'epoch', type: 'ordinal', title: 'step' },
        { field: 'left', type: 'quantitative' },
        { field: 'right', type: 'quantitative' },
        { field: 'count', type: 'quantitative' },
      ],
    },
    config: THEME,
  };
}
