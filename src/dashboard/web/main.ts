/**
 * The dashboard page: polls the API and redraws what changed, so runs that start or grow while
 * the page is open appear without a reload. Each run carries a version: an unchanged run costs
 * one small poll, and only the views of runs that changed fetch and draw again. Verdicts are
 * polled on their own, so the charts never wait for a logdir to be diagnosed.
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
/** Badges and verdicts, computed by the server in the background, are polled this often. */
const VERDICT_POLL_MS = 2000;

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
let verdictsBusy = false;
/** Called once the view at the top has drawn: verdicts wait for the first paint. */
let onFirstPaint: (() => void) | undefined = startVerdicts;

async function refresh(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    const { runs } = await api.runs();
    state.runs = runs;
    const versions = new Map(runs.map((r) => [r.name, r.version]));
    state.selected = state.selected.filter((run) => versions.has(run));
    if (state.selected.length === 0 && runs.length > 0) state.selected = [runs[0].name];
    renderRuns(state, () => void refresh());
    await Promise.all(
      state.selected
        .filter((run) => state.info.get(run)?.version !== versions.get(run))
        .map(async (run) => state.info.set(run, await api.run(run))),
    );
    // The view at the top first: it is the first paint; the others then draw on screen first.
    await views[0].update();
    onFirstPaint?.();
    onFirstPaint = undefined;
    await Promise.all(views.slice(1).map((view) => view.update()));
    byId('status').textContent =
      `live · ${runs.length} run${runs.length === 1 ? '' : 's'} · ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    byId('status').textContent =
      `not updated: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    busy = false;
  }
}

/** Badges of every run diagnosed so far, and the verdicts of the picked runs that changed. */
async function refreshVerdicts(): Promise<void> {
  if (verdictsBusy) return;
  verdictsBusy = true;
  try {
    const { badges } = await api.badges();
    state.badges = badges;
    renderRuns(state, () => void refresh());
    const stale = state.selected.filter((run) => {
      const known = state.verdicts.get(run);
      const version = state.runs.find((r) => r.name === run)?.version;
      return known === undefined || (known.available && known.version !== version);
    });
    await Promise.all(stale.map(async (run) => state.verdicts.set(run, await api.verdicts(run))));
    renderVerdicts(state);
  } catch {
    // The next poll tries again; the status line reports the main poll's errors.
  } finally {
    verdictsBusy = false;
  }
}

byId<HTMLInputElement>('run-filter').addEventListener('input', () =>
  renderRuns(state, () => void refresh()),
);
/**
 * Diagnosing a large run takes the server's time: asked for after the first paint, it never
 * delays it.
 */
function startVerdicts(): void {
  void refreshVerdicts();
  setInterval(() => void refreshVerdicts(), VERDICT_POLL_MS);
}

void refresh();
setInterval(() => void refresh(), POLL_MS);
