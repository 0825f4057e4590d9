/**
 * The dashboard page: polls the API and redraws what changed, so runs that start or grow while
 * the page is open appear without a reload.
 */
import { api } from './client.js';
import { FlowView } from './flow-view.js';
import { HistogramsView } from './histograms-view.js';
import { renderRuns } from './runs-view.js';
import { ScalarsView } from './scalars-view.js';
import { byId, createState } from './state.js';
import { ThroughTimeView } from './time-view.js';
import { renderVerdicts } from './verdicts-view.js';

/** New points reach the page within this, plus the time to draw them. */
const POLL_MS = 1000;
/** Verdicts cost a diagnose pass per run: refreshed less often. */
const VERDICT_POLL_MS = 5000;
/** Runs whose verdict badges are fetched, at most. */
const MAX_BADGE_RUNS = 200;

const state = createState();
// `?runs=a,b` picks runs on load, so a view can be linked to.
state.selected = (new URLSearchParams(location.search).get('runs') ?? '')
  .split(',')
  .filter(Boolean);
const views = [
  new FlowView(state),
  new ScalarsView(state),
  new HistogramsView(state),
  new ThroughTimeView(state),
];
let busy = false;
let lastVerdicts = 0;

async function refresh(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    const { runs } = await api.runs();
    state.runs = runs;
    const names = new Set(runs.map((r) => r.name));
    state.selected = state.selected.filter((run) => names.has(run));
    if (state.selected.length === 0 && runs.length > 0) state.selected = [runs[0].name];
    await Promise.all(state.selected.map(async (run) => state.info.set(run, await api.run(run))));
    if (Date.now() - lastVerdicts > VERDICT_POLL_MS) {
      lastVerdicts = Date.now();
      const wanted = [
        ...new Set([...state.selected, ...runs.slice(0, MAX_BADGE_RUNS).map((r) => r.name)]),
      ];
      await Promise.all(
        wanted.map(async (run) => state.verdicts.set(run, await api.verdicts(run))),
      );
    }
    renderRuns(state, () => void refreshNow());
    renderVerdicts(state);
    await Promise.all(views.map((view) => view.update()));
    byId('status').textContent =
      `live · ${runs.length} run${runs.length === 1 ? '' : 's'} · ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    byId('status').textContent =
      `not updated: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    busy = false;
  }
}

async function refreshNow(): Promise<void> {
  lastVerdicts = 0;
  await refresh();
}

byId<HTMLInputElement>('run-filter').addEventListener('input', () =>
  renderRuns(state, () => void refreshNow()),
);
void refresh();
setInterval(() => void refresh(), POLL_MS);
