/**
 * Values on hover for the dashboard's line charts: the chart's hover layer (`hoverPoints`,
 * dataset HOVER_DATA) is filled with each series' point nearest the pointer's x, one frame at a
 * time. Nothing is drawn per point until the pointer asks, so a chart of a thousand points
 * draws one path instead of a thousand marks.
 */
import type { View } from 'vega';
import { HOVER_DATA, type VegaLiteSpec } from '../../charts/line.js';

type Row = Record<string, unknown>;

/** Pixels from the plot's top to the first hover label, and between labels. */
const LABEL_TOP = 8;
const LABEL_LINE = 13;
/** Pixels between the hovered x and its labels, and a generous width of an 11px character. */
const LABEL_GAP = 5;
const LABEL_CHAR_WIDTH = 6.2;

interface Hoverable {
  rows: readonly Row[];
  x: string;
  y: string;
  series?: string;
}

interface UnitLayer {
  data?: { values?: Row[]; name?: string };
  encoding?: { x?: { field?: string }; y?: { field?: string }; color?: { field?: string } };
}

/** The line layer's rows and fields when the spec has a hover layer; else undefined. */
function hoverable(spec: VegaLiteSpec): Hoverable | undefined {
  const layers = (spec as { layer?: UnitLayer[] }).layer;
  if (!layers?.some((layer) => layer.data?.name === HOVER_DATA)) return undefined;
  const line = layers[0];
  const x = line.encoding?.x?.field;
  const y = line.encoding?.y?.field;
  if (!line.data?.values || !x || !y) return undefined;
  return { rows: line.data.values, x, y, series: line.encoding?.color?.field };
}

/** Index of the row whose x is nearest `target`, in rows sorted by x. */
function nearest(rows: readonly Row[], x: string, target: number): number {
  let low = 0;
  let high = rows.length - 1;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if ((rows[middle][x] as number) < target) low = middle;
    else high = middle;
  }
  const distance = (i: number) => Math.abs((rows[i][x] as number) - target);
  return distance(low) <= distance(high) ? low : high;
}

function formatValue(value: unknown): string {
  if (typeof value !== 'number' || Number.isInteger(value)) return String(value);
  return value.toPrecision(4);
}

/**
 * Makes the chart in `element` show the points nearest the pointer, when its spec has a hover
 * layer. Returns what undoes it.
 */
export function attachHover(element: HTMLElement, view: View, spec: VegaLiteSpec): () => void {
  const chart = hoverable(spec);
  if (!chart) return () => {};
  const bySeries = new Map<unknown, Row[]>();
  for (const row of chart.rows) {
    const key = chart.series ? row[chart.series] : '';
    const rows = bySeries.get(key);
    if (rows) rows.push(row);
    else bySeries.set(key, [row]);
  }
  for (const rows of bySeries.values())
    rows.sort((a, b) => (a[chart.x] as number) - (b[chart.x] as number));
  let shown = false;
  let pending: PointerEvent | undefined;
  const show = (rows: Row[]) => {
    if (rows.length === 0 && !shown) return;
    shown = rows.length > 0;
    void view.data(HOVER_DATA, rows).runAsync();
  };
  const update = () => {
    const event = pending!;
    pending = undefined;
    const surface = element.querySelector('svg, canvas');
    if (!surface) return;
    const plotX = event.clientX - surface.getBoundingClientRect().left - view.origin()[0];
    if (plotX < 0 || plotX > view.width()) return show([]);
    const scale = view.scale('x');
    const target = Number(scale.invert(plotX));
    show(
      [...bySeries].map(([series, rows], i) => {
        const row = rows[nearest(rows, chart.x, target)];
        const value = `${formatValue(row[chart.y])} at ${chart.x} ${formatValue(row[chart.x])}`;
        const label = chart.series ? `${String(series)}: ${value}` : value;
        const at = Number(scale(row[chart.x]));
        const width = label.length * LABEL_CHAR_WIDTH;
        const fits = at + LABEL_GAP + width <= view.width();
        const labelX = fits ? at + LABEL_GAP : Math.max(0, at - LABEL_GAP - width);
        return { ...row, label, labelX, labelY: LABEL_TOP + i * LABEL_LINE };
      }),
    );
  };
  const move = (event: PointerEvent) => {
    if (pending === undefined) requestAnimationFrame(update);
    pending = event;
  };
  const leave = () => show([]);
  element.addEventListener('pointermove', move);
  element.addEventListener('pointerleave', leave);
  return () => {
    element.removeEventListener('pointermove', move);
    element.removeEventListener('pointerleave', leave);
  };
}
