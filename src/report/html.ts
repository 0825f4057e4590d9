/**
 * Writes a report as one self-contained HTML file (inline SVG and CSS; no scripts, fonts or
 * network references, enforced by a Content-Security-Policy) plus a PNG of every figure.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../engine/errors.js';
import { escapeHtml, formatNumber } from '../charts/format.js';
import { inlineSvg } from './inline-svg.js';
import { renderPng, renderSvg } from './render.js';
import { REPORT_CSS } from './style.js';
import type { Figure, Report, ReportSection, Table } from './types.js';

export type { Figure, Report, ReportSection, Table } from './types.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const FIGURES_DIR = 'figures';
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Throws unless every section and figure id is well formed and every anchor is used once. */
function checkIds(report: Report): void {
  const anchors = new Set<string>();
  const claim = (id: string, anchor: string): void => {
    if (!ID_PATTERN.test(id)) {
      throw new ValueError(
        `writeReport: ids must be letters, digits, '-' or '_'. Received: '${id}'`,
      );
    }
    if (anchors.has(anchor)) {
      throw new ValueError(`writeReport: ids must be unique. Received: '${id}' twice`);
    }
    anchors.add(anchor);
  };
  for (const section of report.sections) {
    claim(section.id, section.id);
    for (const figure of section.figures) claim(figure.id, `fig-${figure.id}`);
  }
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

function tableHtml(table: Table, number: number): string {
  const head = table.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map((row) => {
      const cells = row.map((cell) =>
        typeof cell === 'number'
          ? `<td class="num" title="${cell}">${escapeHtml(formatNumber(cell))}</td>`
          : `<td>${escapeHtml(cell)}</td>`,
      );
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return (
    `<table><caption><b>Table ${number}.</b> ${escapeHtml(table.caption)}</caption>\n` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`
  );
}

function figureHtml(figure: Figure, number: number, svg: string): string {
  const png = `${FIGURES_DIR}/${figure.id}.png`;
  return (
    `<figure id="fig-${figure.id}">\n<div class="chart">${inlineSvg(svg, figure.id, figure.title)}</div>\n` +
    `<figcaption><b>Figure ${number}. ${escapeHtml(figure.title)}.</b> ` +
    `${escapeHtml(figure.caption)}<a class="png" href="${png}">PNG</a></figcaption>\n</figure>`
  );
}

/** Numbers figures and tables through the whole report, in reading order. */
interface Counters {
  figure: number;
  table: number;
}

function sectionHtml(section: ReportSection, svgs: ReadonlyMap<string, string>, n: Counters) {
  const findings =
    section.findings.length === 0
      ? ''
      : '<div class="findings"><h3>Findings</h3><ul>' +
        section.findings.map((f) => `<li>${escapeHtml(f)}</li>`).join('') +
        '</ul></div>';
  const figures = section.figures.map((f) => figureHtml(f, ++n.figure, svgs.get(f.id) ?? ''));
  const tables = section.tables.map((t) => tableHtml(t, ++n.table));
  return [
    `<section id="${section.id}">`,
    `<h2>${escapeHtml(section.title)}</h2>`,
    paragraphs(section.intro),
    findings,
    ...figures,
    ...tables,
    '</section>',
  ].join('\n');
}

function contentsHtml(report: Report): string {
  let figureNumber = 0;
  const items = report.sections.map((section) => {
    const figures = section.figures
      .map(
        (f) =>
          `<li><a href="#fig-${f.id}">Figure ${++figureNumber}. ${escapeHtml(f.title)}</a></li>`,
      )
      .join('');
    const sub = figures === '' ? '' : `<ol>${figures}</ol>`;
    return `<li><a href="#${section.id}">${escapeHtml(section.title)}</a>${sub}</li>`;
  });
  return `<nav><h2>Contents</h2><ol>${items.join('\n')}</ol></nav>`;
}

/** The report page, given each figure's rendered SVG by figure id. Pure: no I/O. */
export function renderHtml(report: Report, svgs: ReadonlyMap<string, string>): string {
  checkIds(report);
  const meta = Object.entries({ generated: report.generatedAt.toISOString(), ...report.meta })
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  const counters: Counters = { figure: 0, table: 0 };
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${escapeHtml(report.title)}</h1>`,
    `<p class="subtitle">${escapeHtml(report.subtitle)}</p>`,
    `<dl class="meta">${meta}</dl></header>`,
    contentsHtml(report),
    '<main>',
    ...report.sections.map((section) => sectionHtml(section, svgs, counters)),
    '</main>',
    '<footer>Written by gradscope. Figures are inline SVG; PNG copies are in the figures/ folder.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Deletes PNGs in `dir` that this report does not draw: left from an earlier report there. */
async function removeStaleFigures(dir: string, report: Report): Promise<void> {
  const current = new Set(report.sections.flatMap((s) => s.figures.map((f) => `${f.id}.png`)));
  for (const name of await readdir(dir)) {
    if (name.endsWith('.png') && !current.has(name)) await rm(join(dir, name));
  }
}

/**
 * Renders every figure and writes `outDir/report.html` and `outDir/figures/<id>.png`,
 * creating the folders. Returns the paths written.
 */
export async function writeReport(
  report: Report,
  outDir: string,
): Promise<{ html: string; pngs: string[] }> {
  checkIds(report);
  await mkdir(join(outDir, FIGURES_DIR), { recursive: true });
  await removeStaleFigures(join(outDir, FIGURES_DIR), report);
  const svgs = new Map<string, string>();
  const pngs: string[] = [];
  for (const figure of report.sections.flatMap((s) => s.figures)) {
    const svg = await renderSvg(figure.spec);
    svgs.set(figure.id, svg);
    const path = join(outDir, FIGURES_DIR, `${figure.id}.png`);
    await writeFile(path, renderPng(svg));
    pngs.push(path);
  }
  const html = join(outDir, 'report.html');
  await writeFile(html, renderHtml(report, svgs), 'utf8');
  return { html, pngs };
}
