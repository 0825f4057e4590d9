/**
 * The dashboard page: polls the API and redraws what changed, so runs that start or grow while
 * the page is open appear without a reload. Each run carries a version: an unchanged run costs
 * one small poll, and only the views of runs that changed fetch and draw again. Verdicts are
 * polled on their own, so the charts never wait for a logdir to be diagnosed.
 */
import { api } from './client.js';
import { defaultRun } from './default-run.js';
import { markOnce } from './embed.js';
import { ALL_CHARTS_MARK } from './first-paint.js';
import { FlowView } from './flow-view.js';
import { HistogramsView } from './histograms-view.js';
import { readingLabel, renderRuns } from './runs-view.js';
import { ScalarsView } from './scalars-view.js';
import { byId, createState } from './state.js';
import { ThroughTimeView } from './time-view.js';
import { renderVerdicts } from './verdicts-view.js';

/** New points reach the page within this, plus the time to draw them. */
const POLL_MS = 1000;
/** While the server reads a run for the first time, its progress is polled this often. */
const LOADING_POLL_MS = 150;
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
let drawing = false;
let drawAgain = false;
let verdictsBusy = false;
/** What went wrong in the last poll or draw, shown in the status line until one succeeds. */
let problem: string | undefined;
/** Called once the view at the top has drawn: verdicts wait for the first paint. */
let onFirstPaint: (() => void) | undefined = startVerdicts;

const onPick = () => {
  renderRuns(state, onPick);
  void draw();
};

/** The run list, and the default run when none is picked. Never waits for a run to be read. */
async function poll(): Promise<void> {
  const { runs } = await api.runs();
  state.runs = runs;
  const names = new Set(runs.map((r) => r.name));
  state.selected = state.selected.filter((run) => names.has(run));
  if (state.selected.length === 0) {
    const choice = defaultRun(runs);
    state.waitingFor = choice && 'waitingFor' in choice ? choice.waitingFor : undefined;
    if (choice && 'run' in choice) {
      state.selected = [choice.run];
      state.note = `Showing ${choice.run}: ${choice.reason}.`;
    }
  }
  renderRuns(state, onPick);
}

/** Runs being read that the page waits for: picked ones, and the default choice's. */
function awaitedRuns() {
  return state.runs.filter(
    (run) => run.loading && (state.selected.includes(run.name) || state.waitingFor === run.name),
  );
}

function renderStatus(): void {
  const reading = awaitedRuns();
  const runs = state.runs.length;
  byId('status').textContent =
    reading.length > 0
      ? reading.map((run) => `reading run ${run.name} (${readingLabel(run.loading!)})`).join(' · ')
      : (problem ??
        `live · ${runs} run${runs === 1 ? '' : 's'} · ${new Date().toLocaleTimeString()}`);
}

/**
 * Fetches the tags of the picked runs that changed (a run still being read is waited for by
 * the server, so its charts come as soon as it is read) and redraws the views. One draw at a
 * time; a call during a draw asks for one more after it.
 */
async function draw(): Promise<void> {
  if (drawing) {
    drawAgain = true;
    return;
  }
  drawing = true;
  try {
    do {
      drawAgain = false;
      // Nothing to draw yet: the run to show by default is still being read.
      if (state.selected.length === 0 && state.waitingFor !== undefined) break;
      const versions = new Map(state.runs.map((r) => [r.name, r.version]));
      const stale = state.selected.filter((run) => {
        const known = state.info.get(run)?.version;
        return known === undefined || (versions.get(run) ?? known) !== known;
      });
      await Promise.all(stale.map(async (run) => state.info.set(run, await api.run(run))));
      // The view at the top first: it is the first paint; the others then draw on screen first.
      await views[0].update();
      onFirstPaint?.();
      onFirstPaint = undefined;
      await Promise.all(views.slice(1).map((view) => view.update()));
      if (state.selected.length > 0) markOnce(ALL_CHARTS_MARK);
      problem = undefined;
    } while (drawAgain);
  } catch (error) {
    problem = `not updated: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    drawing = false;
    renderStatus();
  }
}

/**
 * Polls the run list and redraws, sooner while a run the page waits for is being read (runs
 * read in the background are polled at the usual pace: each poll costs the server a refresh
 * of every run that is read).
 */
async function tick(): Promise<void> {
  try {
    await poll();
  } catch (error) {
    problem = `not updated: ${error instanceof Error ? error.message : String(error)}`;
  }
  renderStatus();
  void draw();
  setTimeout(() => void tick(), awaitedRuns().length > 0 ? LOADING_POLL_MS : POLL_MS);
}

/** Badges of every run diagnosed so far, and the verdicts of the picked runs that changed. */
async function refreshVerdicts(): Promise<void> {
  if (verdictsBusy) return;
  verdictsBusy = true;
  try {
    const { badges } = await api.badges();
    state.badges = badges;
    renderRuns(state, onPick);
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

byId<HTMLInputElement>('run-filter').addEventListener('input', () => renderRuns(state, onPick));
/**
 * Diagnosing a large run takes the server's time: asked for after the first paint, it never
 * delays it.
 */
function startVerdicts(): void {
  void refreshVerdicts();
  setInterval(() => void refreshVerdicts(), VERDICT_POLL_MS);
}

void tick();
