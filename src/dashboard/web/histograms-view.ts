/** One histogram tag over steps, per picked run: TensorBoard's offset view and an overlay. */
import { histogramOverlayChart, histogramRidgeChart } from '../../charts/histogram.js';
import { api } from './client.js';
import { ChartSlots, type ChartEntry } from './embed.js';
import { byId, drawKey, selectedInfo, setOptions, union, type DashboardState } from './state.js';

export class HistogramsView {
  private readonly charts = new ChartSlots(byId('histogram-charts'));
  private readonly tag = byId<HTMLSelectElement>('histogram-tag');
  /** The `drawKey` of what is drawn. */
  private drawn = '';

  constructor(private readonly state: DashboardState) {
    this.tag.addEventListener('change', () => void this.update());
  }

  async update(): Promise<void> {
    const tag = setOptions(
      this.tag,
      union(this.state, (info) => info.histograms),
    );
    const key = drawKey(this.state, tag);
    if (key === this.drawn) return;
    const runs = selectedInfo(this.state).filter((info) => info.histograms.includes(tag));
    const series = await Promise.all(runs.map((info) => api.histograms(info.run, tag)));
    await this.charts.render(
      series.flatMap((s): ChartEntry[] => {
        const data = s.points.flatMap((p) => p.buckets.map((b) => ({ epoch: p.step, ...b })));
        if (data.length === 0) return [[`${s.run}-empty`, `${s.run}: ${tag} has no histograms`]];
        const note = s.downsampled ? ` (${s.points.length} of ${s.total} steps)` : '';
        const title = `${s.run}: ${tag}${note}`;
        return [
          [`${s.run}-offset`, histogramRidgeChart({ title, data, epochTitle: 'step', width: 380 })],
          [
            `${s.run}-overlay`,
            histogramOverlayChart({ title: `${title}, overlaid`, data, width: 380 }),
          ],
        ];
      }),
    );
    this.drawn = key;
  }
}
