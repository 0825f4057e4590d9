/** ‖∂L/∂h_t‖ against t for the recurrent layers of the picked runs, one line per training step. */
import { lineChart } from '../../charts/line.js';
import { api } from './client.js';
import { ChartSlots, type ChartEntry } from './embed.js';
import { byId, drawKey, selectedInfo, type DashboardState } from './state.js';

export class ThroughTimeView {
  private readonly charts = new ChartSlots(byId('time-charts'));
  /** The `drawKey` of what is drawn. */
  private drawn = '';

  constructor(private readonly state: DashboardState) {}

  async update(): Promise<void> {
    const key = drawKey(this.state);
    if (key === this.drawn) return;
    const groups = selectedInfo(this.state).flatMap((info) => {
      const byLayer = new Map<string, typeof info.throughTime>();
      for (const tag of info.throughTime) {
        const key = `${tag.kind}/${tag.layer}`;
        byLayer.set(key, [...(byLayer.get(key) ?? []), tag]);
      }
      return [...byLayer.entries()].map(([key, tags]) => ({ run: info.run, key, tags }));
    });
    const entries = await Promise.all(
      groups.map(async ({ run, key, tags }) => {
        const series = await Promise.all(tags.map((t) => api.scalars(run, t.tag)));
        const rows = series.flatMap((s, i) =>
          s.points.flatMap(([t, value]) =>
            value !== null && value > 0 ? [{ t, value, step: `step ${tags[i].step}` }] : [],
          ),
        );
        const quantity = key.startsWith('through_time_cell') ? '‖∂L/∂c_t‖' : '‖∂L/∂h_t‖';
        const title = `${run}: ${quantity} through time, ${key.split('/').slice(1).join('/')}`;
        return [
          `${run}-${key}`,
          rows.length === 0
            ? `${title}: no positive values`
            : lineChart({
                title,
                data: rows,
                x: { field: 't', title: 'time step t' },
                y: { field: 'value', title: quantity, scale: 'log' },
                series: 'step',
                seriesTitle: 'training step',
                // A few dozen steps t per line: each is a mark, with its values on hover.
                points: true,
                width: 380,
                height: 200,
              }),
        ] as ChartEntry;
      }),
    );
    if (entries.length === 0) {
      entries.push([
        'none',
        'No through-time tags (through_time/<layer>/step_<s>) in the selected runs.',
      ]);
    }
    await this.charts.render(entries);
    this.drawn = key;
  }
}
