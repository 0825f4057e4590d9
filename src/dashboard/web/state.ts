/** What the page shows: the runs the logdir holds, the ones picked, and their tags. */
import type { BadgeList, RunInfo, RunSummary, VerdictList } from './client.js';

export interface DashboardState {
  runs: RunSummary[];
  /** Picked runs, in the order they were picked. */
  selected: string[];
  info: Map<string, RunInfo>;
  /** Verdicts of picked runs. */
  verdicts: Map<string, VerdictList>;
  /** Badges of every run diagnosed so far. */
  badges: BadgeList['badges'];
  /** Why the run shown by default was chosen; empty when the user picked. */
  note: string;
  /** The run the default choice waits for while the server reads it. */
  waitingFor?: string;
}

export function createState(): DashboardState {
  return {
    runs: [],
    selected: [],
    info: new Map(),
    verdicts: new Map(),
    badges: {},
    note: '',
  };
}

/**
 * What a view drew from: the picked runs at their versions and the view's own settings. A view
 * whose key is unchanged since it last drew has nothing to fetch or draw.
 */
export function drawKey(state: DashboardState, ...settings: unknown[]): string {
  return JSON.stringify([selectedInfo(state).map((info) => [info.run, info.version]), settings]);
}

/** The picked runs whose tags are known. */
export function selectedInfo(state: DashboardState): RunInfo[] {
  return state.selected.flatMap((run) => state.info.get(run) ?? []);
}

/** Values of `pick` over the picked runs, each once, in first-seen order. */
export function union(state: DashboardState, pick: (info: RunInfo) => readonly string[]): string[] {
  return [...new Set(selectedInfo(state).flatMap(pick))];
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`dashboard: the page lacks #${id}`);
  return element as T;
}

/** Keeps a <select>'s options equal to `values`, keeping the choice when it is still there. */
export function setOptions(select: HTMLSelectElement, values: readonly string[]): string {
  const current = select.value;
  const same =
    select.options.length === values.length &&
    values.every((value, i) => select.options[i].value === value);
  if (!same) {
    select.replaceChildren(
      ...values.map((value) => {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = value;
        return option;
      }),
    );
    if (values.includes(current)) select.value = current;
  }
  return select.value;
}
