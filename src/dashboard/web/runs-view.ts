/** The run list: every run under the logdir, with checkboxes to compare and verdict badges. */
import type { RunSummary } from './client.js';
import { byId, type DashboardState } from './state.js';

const SEVERITIES = ['error', 'warning', 'info'] as const;

export function renderRuns(state: DashboardState, onChange: () => void): void {
  const list = byId<HTMLUListElement>('run-list');
  const filter = byId<HTMLInputElement>('run-filter').value.trim().toLowerCase();
  const shown = state.runs.filter((run) => run.name.toLowerCase().includes(filter));
  list.replaceChildren(
    ...shown.map((run) => {
      const item = document.createElement('li');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = `run-${run.name}`;
      box.checked = state.selected.includes(run.name);
      box.addEventListener('change', () => {
        state.note = '';
        state.selected = box.checked
          ? [...state.selected, run.name]
          : state.selected.filter((name) => name !== run.name);
        onChange();
      });
      const label = document.createElement('label');
      label.htmlFor = box.id;
      label.textContent = run.name;
      item.append(box, label, ...reading(run), ...badges(state, run.name));
      return item;
    }),
  );
  byId('run-note').textContent = state.note;
}

/** How far the server has read a run: '42%', or 'queued' before its read starts. */
export function readingLabel({ bytesRead, bytes }: NonNullable<RunSummary['loading']>): string {
  return bytes > 0 ? `${Math.min(100, Math.floor((100 * bytesRead) / bytes))}%` : 'queued';
}

function reading(run: RunSummary): HTMLElement[] {
  if (!run.loading) return [];
  const badge = document.createElement('span');
  badge.className = 'badge reading';
  badge.textContent = run.loading.bytes > 0 ? `reading ${readingLabel(run.loading)}` : 'queued';
  return [badge];
}

function badges(state: DashboardState, run: string): HTMLElement[] {
  const checks = state.badges[run] ?? {};
  return SEVERITIES.flatMap((severity) => {
    const count = checks[severity]?.length ?? 0;
    if (count === 0) return [];
    const badge = document.createElement('span');
    badge.className = `badge ${severity}`;
    badge.textContent = `${count} ${severity}${count === 1 ? '' : 's'}`;
    badge.title = checks[severity]!.join(', ');
    return [badge];
  });
}
