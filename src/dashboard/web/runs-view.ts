/** The run list: every run under the logdir, with checkboxes to compare and verdict badges. */
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
        state.selected = box.checked
          ? [...state.selected, run.name]
          : state.selected.filter((name) => name !== run.name);
        onChange();
      });
      const label = document.createElement('label');
      label.htmlFor = box.id;
      label.textContent = run.name;
      item.append(box, label, ...badges(state, run.name));
      return item;
    }),
  );
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
