/**
 * Axis and scale pieces shared by the chart builders, chiefly the log axis: gradient norms
 * span many decades, and a log axis labelled only at powers of ten reads at a glance.
 */
import type { Axis } from 'vega-lite/types_unstable/axis.js';
import { ValueError } from '../engine/errors.js';

/** One row of chart data: a record of field values. */
export type Row = Readonly<Record<string, string | number | boolean | null>>;

/** How a field maps to a positional axis. */
export interface AxisArgs {
  /** Data field plotted on this axis. */
  field: string;
  /** Axis title. Defaults to the field name. */
  title?: string;
  /** 'linear' or 'log'; log needs every value > 0. Defaults to 'linear'. */
  scale?: 'linear' | 'log';
  /** Vega-Lite measurement type. Defaults to 'quantitative'. */
  type?: 'quantitative' | 'ordinal' | 'nominal';
  /** Whether a linear scale must include 0; off shows small changes. Defaults to true. */
  zero?: boolean;
  /** d3-format string for the tick labels, e.g. 'd' for whole epochs. Defaults to Vega's. */
  format?: string;
}

/** Unicode superscript forms of the characters in a signed integer. */
export const SUPERSCRIPTS: Readonly<Record<string, string>> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** Decades spanned before a log axis labels powers of ten only. */
const DECADE_LABEL_SPAN = 2;

/**
 * Whether the positive, finite `values` span at least `decades` powers of ten (max/min ≥
 * 10^decades): the signal for a caller to pick a log scale. Defaults to 2 decades.
 */
export function spansDecades(values: Iterable<number>, decades = DECADE_LABEL_SPAN): boolean {
  let min = Infinity;
  let max = 0;
  for (const value of values) {
    if (value > 0 && Number.isFinite(value)) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  return max > 0 && Math.log10(max / min) >= decades;
}

/** The numeric values of `field` in `rows`, skipping non-numbers. */
export function fieldValues(rows: readonly Row[], field: string): number[] {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[field];
    if (typeof value === 'number') values.push(value);
  }
  return values;
}

/** Vega expression for the label of a log-axis tick: "100", "0.01", or "10⁻⁷" past 10^±3. */
function decadeLabelExpr(): string {
  const exponent = 'round(log(datum.value) / LN10)';
  let superscript = `'' + ${exponent}`;
  for (const [plain, raised] of Object.entries(SUPERSCRIPTS)) {
    superscript = `replace(${superscript}, regexp('${plain}', 'g'), '${raised}')`;
  }
  return `abs(${exponent}) < 4 ? format(datum.value, ',~g') : '10' + ${superscript}`;
}

const IS_DECADE = 'abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6';

/**
 * The Vega-Lite `scale` and `axis` for `axis` over `rows`. A log axis over data spanning two or
 * more decades labels powers of ten only and fades the other grid lines. Throws when a log
 * axis meets a value ≤ 0, which Vega would silently drop.
 */
export function positionalScale(
  axis: AxisArgs,
  rows: readonly Row[],
  owner: string,
): { scale?: { type: 'log' } | { zero: boolean }; axis: Axis } {
  const format = axis.format === undefined ? {} : { format: axis.format };
  if (axis.scale !== 'log') {
    return axis.zero === undefined
      ? { axis: format }
      : { scale: { zero: axis.zero }, axis: format };
  }
  const values = fieldValues(rows, axis.field);
  const bad = values.find((value) => !(value > 0));
  if (bad !== undefined) {
    throw new ValueError(
      `${owner}: a log scale needs positive values of '${axis.field}'. Received: ${bad}`,
    );
  }
  if (!spansDecades(values)) return { scale: { type: 'log' }, axis: format };
  return {
    scale: { type: 'log' },
    axis: {
      labelExpr: `${IS_DECADE} ? (${decadeLabelExpr()}) : ''`,
      gridOpacity: { condition: { test: IS_DECADE, value: 1 }, value: 0.35 },
      tickSize: { condition: { test: IS_DECADE, value: 5 }, value: 2 },
    },
  };
}
