/** Every scalar tag of the picked runs, runs overlaid, with a log/linear toggle and smoothing. */
import { lineChart } from '../../charts/line.js';
import { api, type ScalarSeries } from './client.js';
import { ChartSlots, type ChartEntry } from './embed.js';
import { byId, drawKey, selectedInfo, union, type DashboardState } from './state.js';

/** Charts drawn at once; a filter narrows the rest. */
export const MAX_SCALAR_CHARTS = 24;
/** Loss tags come first: the chart a user looks at before any other. */
const LOSS = /(^|\/)(epoch_)?loss$/;

/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the first points are not
 * pulled toward zero. `weight` 0 leaves the values as they are.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null) return null;
    last = last * weight + value * (1 - weight);
    count++;
    return weight === 0 ? value : last / (1 - weight ** count);
  });
}

export class ScalarsView {
  private readonly charts = new ChartSlots(byId('scalar-charts'));
  private readonly filter = byId<HTMLInputElement>('scalar-filter');
  private readonly log = byId<HTMLInputElement>('scalar-log');
  private readonly smoothing = byId<HTMLInputElement>('scalar-smoothing');
  /** The `drawKey` of what is drawn. */
  private drawn = '';

  constructor(private readonly state: DashboardState) {
    for (const control of [this.filter, this.log, this.smoothing]) {
      control.addEventListener('input', () => void this.update());
    }
  }

  private pattern(): RegExp | null {
    try {
      return new RegExp(this.filter.value, 'i');
    } catch {
      return null;
    }
  }

  async update(): Promise<void> {
    const weight = Number(this.smoothing.value);
    byId('scalar-smoothing-label').textContent = weight.toFixed(2);
    const pattern = this.pattern();
    const tags = union(this.state, (info) => info.scalars)
      .filter((tag) => pattern?.test(tag) ?? true)
      .sort((a, b) => Number(!LOSS.test(a)) - Number(!LOSS.test(b)) || a.localeCompare(b));
    const shown = tags.slice(0, MAX_SCALAR_CHARTS);
    const key = drawKey(this.state, shown, weight, this.log.checked);
    if (key === this.drawn) return;
    const runs = selectedInfo(this.state);
    const entries = shown.map((tag): ChartEntry => [
      tag,
      async () => {
        const series = await Promise.all(
          runs
            .filter((info) => info.scalars.includes(tag))
            .map((info) => api.scalars(info.run, tag)),
        );
        return this.spec(tag, series, weight);
      },
    ]);
    if (tags.length > shown.length) {
      entries.push([
        'more',
        `${tags.length - shown.length} more tags: narrow the filter to see them.`,
      ]);
    }
    await this.charts.render(entries);
    this.drawn = key;
  }

  private spec(tag: string, series: ScalarSeries[], weight: number) {
    const log = this.log.checked;
    let hidden = 0;
    const rows = series.flatMap((s) => {
      const values = smooth(
        s.points.map(([, value]) => value),
        weight,
      );
      return s.points.flatMap(([step], i) => {
        const value = values[i];
        if (value === null || (log && value <= 0)) {
          hidden++;
          return [];
        }
        return [{ step, value, run: s.run }];
      });
    });
    const notes = [
      series.some((s) => s.downsampled) &&
        `downsampled by LTTB from ${Math.max(...series.map((s) => s.total))} points`,
      hidden > 0 &&
        `${hidden} points not drawn (non-finite${log ? ' or ≤ 0 on the log axis' : ''})`,
    ].filter(Boolean);
    if (rows.length === 0)
      return `${tag}: no drawable points${notes.length ? ` (${notes.join('; ')})` : ''}`;
    return lineChart({
      title: notes.length ? `${tag} — ${notes.join('; ')}` : tag,
      data: rows,
      x: { field: 'step' },
      y: { field: 'value', title: tag, scale: log ? 'log' : 'linear', zero: false },
      series: 'run',
      hoverPoints: true,
      width: 380,
      height: 200,
    });
  }
}
