/** The diagnose verdicts of the picked runs, with evidence and remedy, linked to their views. */
import type { Verdict } from './client.js';
import { paragraph } from './embed.js';
import { byId, type DashboardState } from './state.js';

/** The view that shows a verdict's evidence. */
function viewOf(verdict: Verdict): { href: string; label: string } {
  if (/gradient|unchanged|learning_rate|initialization/.test(verdict.check)) {
    return { href: '#flow', label: 'gradient flow' };
  }
  if (/relu|saturated/.test(verdict.check)) return { href: '#histograms', label: 'histograms' };
  return { href: '#scalars', label: 'scalars' };
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function evidenceText(evidence: Verdict['evidence']): string {
  return Object.entries(evidence)
    .map(([name, value]) => `${name} = ${typeof value === 'number' ? value.toPrecision(3) : value}`)
    .join(', ');
}

export function renderVerdicts(state: DashboardState): void {
  const root = byId('verdict-list');
  const blocks = state.selected.flatMap((run) => {
    const list = state.verdicts.get(run);
    if (!list) return [];
    const heading = document.createElement('h3');
    heading.textContent = run;
    if (!list.available)
      return [heading, paragraph('diagnose is not available in this server.', 'empty')];
    if (list.verdicts.length === 0)
      return [heading, paragraph('No verdicts: every check passed or was skipped.', 'empty')];
    const table = document.createElement('table');
    const head = document.createElement('tr');
    head.append(
      ...['check', 'severity', 'layer', 'steps', 'finding', 'evidence', 'remedy', 'view'].map(
        (t) => {
          const th = document.createElement('th');
          th.textContent = t;
          return th;
        },
      ),
    );
    table.append(head, ...list.verdicts.map((verdict) => row(verdict)));
    return [heading, table];
  });
  root.replaceChildren(
    ...(blocks.length ? blocks : [paragraph('Pick a run to see its verdicts.', 'empty')]),
  );
}

function row(verdict: Verdict): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const steps =
    verdict.firstStep === null
      ? '—'
      : `${verdict.firstStep}–${verdict.lastStep ?? verdict.firstStep}`;
  const link = document.createElement('a');
  const view = viewOf(verdict);
  link.href = view.href;
  link.textContent = view.label;
  const linkCell = document.createElement('td');
  linkCell.append(link);
  tr.append(
    cell(verdict.check),
    cell(verdict.severity, verdict.severity),
    cell(verdict.layer ?? '—'),
    cell(steps),
    cell(verdict.message),
    cell(evidenceText(verdict.evidence)),
    cell(verdict.remedy),
    linkCell,
  );
  return tr;
}
