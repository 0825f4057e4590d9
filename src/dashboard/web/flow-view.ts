/**
 * The centre of the page: for one step, a bar per layer from input to output side, runs side by
 * side, on a log axis; beside it, a layer × step heatmap per run. The step slider can play.
 */
import { barChart } from '../../charts/bar.js';
import { heatmapChart } from '../../charts/heatmap.js';
import { FLOW_TITLES, type FlowQuantity } from '../flow.js';
import { api, type FlowSeries } from './client.js';
import { ChartSlots } from './embed.js';
import { byId, drawKey, selectedInfo, setOptions, union, type DashboardState } from './state.js';

/** Milliseconds between steps while playing. */
const PLAY_INTERVAL_MS = 400;

export class FlowView {
  private readonly bars = new ChartSlots(byId('flow-bars'));
  private readonly heatmaps = new ChartSlots(byId('flow-heatmap'));
  private readonly slider = byId<HTMLInputElement>('flow-step');
  private readonly quantity = byId<HTMLSelectElement>('flow-quantity');
  private readonly play = byId<HTMLButtonElement>('flow-play');
  private flows: FlowSeries[] = [];
  private steps: number[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Whether the slider sits on the last step, so that it follows a live run. */
  private atEnd = true;
  /** The `drawKey` of what is drawn. */
  private drawn = '';

  constructor(private readonly state: DashboardState) {
    this.slider.addEventListener('input', () => {
      this.atEnd = Number(this.slider.value) === this.steps.length - 1;
      void this.drawBars();
    });
    this.quantity.addEventListener('change', () => void this.update());
    this.play.addEventListener('click', () => this.toggle());
  }

  async update(): Promise<void> {
    const quantities = union(this.state, (info) => info.quantities);
    const quantity = setOptions(this.quantity, quantities) as FlowQuantity;
    const key = drawKey(this.state, quantity);
    if (key === this.drawn) return;
    const runs = selectedInfo(this.state).filter((info) => info.quantities.includes(quantity));
    this.flows = quantity
      ? await Promise.all(runs.map((info) => api.flow(info.run, quantity)))
      : [];
    this.steps = [
      ...new Set(
        this.flows.flatMap((f) => f.series.flatMap((s) => s.points.map(([step]) => step))),
      ),
    ].sort((a, b) => a - b);
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    if (this.atEnd) this.slider.value = this.slider.max;
    // The bars first: one mark per layer, drawn much sooner than a heatmap of thousands.
    await this.drawBars();
    await this.drawHeatmaps();
    this.drawn = key;
  }

  private title(): string {
    return FLOW_TITLES[this.quantity.value as FlowQuantity] ?? this.quantity.value;
  }

  private async drawBars(): Promise<void> {
    const step = this.steps[Number(this.slider.value)];
    byId('flow-step-label').textContent = step === undefined ? '' : `step ${step}`;
    if (step === undefined) {
      await this.bars.render([
        [
          'bars',
          'No gradient-flow tags (grad_norm/…, update_ratio/…, signal_norm/…) in the selected runs.',
        ],
      ]);
      return;
    }
    const rows = this.flows.flatMap((flow) =>
      flow.series.flatMap(({ layer, points }) => {
        // The latest value at or before the chosen step: layers may be probed at different steps.
        const value = [...points].reverse().find(([s]) => s <= step)?.[1];
        return value !== undefined && value !== null && value > 0
          ? [{ layer, value, run: flow.run }]
          : [];
      }),
    );
    const title = this.title();
    await this.bars.render([
      [
        'bars',
        rows.length === 0
          ? `No positive ${title} at step ${step}.`
          : barChart({
              title: `${title} per layer at step ${step}, input side first`,
              data: rows,
              x: { field: 'layer', title: 'layer' },
              y: { field: 'value', title, scale: 'log' },
              series: this.flows.length > 1 ? 'run' : undefined,
              width: 420,
              height: 260,
            }),
      ],
    ]);
  }

  private async drawHeatmaps(): Promise<void> {
    const title = this.title();
    await this.heatmaps.render(
      this.flows.map((flow) => {
        const data = flow.series.flatMap(({ layer, points }) =>
          points.flatMap(([step, value]) => (value === null ? [] : [{ layer, step, value }])),
        );
        return [
          flow.run,
          data.length === 0
            ? `${flow.run}: no values`
            : heatmapChart({
                title: `${flow.run}: ${title}, layer × step`,
                data,
                valueTitle: title,
                width: 420,
              }),
        ];
      }),
    );
  }

  private toggle(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.play.textContent = '▶ play';
      return;
    }
    if (Number(this.slider.value) >= this.steps.length - 1) this.slider.value = '0';
    this.play.textContent = '❚❚ pause';
    this.timer = setInterval(() => {
      const next = Number(this.slider.value) + 1;
      if (next >= this.steps.length) return this.toggle();
      this.slider.value = String(next);
      this.atEnd = next === this.steps.length - 1;
      void this.drawBars();
    }, PLAY_INTERVAL_MS);
  }
}
