/**
 * Writes a report as one self-contained HTML file (inline SVG and CSS; no scripts, fonts or
 * network references, enforced by a Content-Security-Policy) plus a PNG of every figure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ValueError } from '../engine/errors.js';
import type { LeftOut } from '../charts/axes.js';
import { escapeHtml, formatNumber } from '../charts/format.js';
import { inlineSvg } from './inline-svg.js';
import { releaseRenderedImages, renderPng, renderSvg } from './render.js';
import { REPORT_CSS } from './style.js';
import { FIGURES_DIR, REPORT_FILE } from './files.js';
import type { Figure, Report, ReportSection, Table } from './types.js';

export type { Figure, Report, ReportSection, Table } from './types.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** The report's folder of PNGs, and its page, relative to its directory. */
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
      // A run cut short (diverged) leaves holes: an empty cell, not a crash.
      const cells = row.map((cell: string | number | undefined) =>
        cell === undefined
          ? '<td class="num">–</td>'
          : typeof cell === 'number'
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

/** The caption's note on rows the chart left out (see charts/axes.ts plottableRows). */
function leftOutNote(figure: Figure): string {
  const left = (figure.spec.usermeta as { leftOut?: LeftOut } | undefined)?.leftOut;
  if (!left || left.leftOut === 0) return '';
  return (
    ` ${left.leftOut} of ${left.total} points are not drawn: ` +
    'not finite, or not positive on a log axis.'
  );
}

function figureHtml(figure: Figure, number: number, svg: string): string {
  const png = `${FIGURES_DIR}/${figure.id}.png`;
  const caption = `${figure.caption}${leftOutNote(figure)}`;
  return (
    `<figure id="fig-${figure.id}">\n<div class="chart">${inlineSvg(svg, figure.id, figure.title)}</div>\n` +
    `<figcaption><b>Figure ${number}. ${escapeHtml(figure.title)}.</b> ` +
    `${escapeHtml(caption)}<a class="png" href="${png}">PNG</a></figcaption>\n</figure>`
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
  const notices =
    (section.notices ?? []).length === 0
      ? ''
      : '<div class="notice" role="alert"><ul>' +
        section.notices!.map((line) => `<li>${escapeHtml(line)}</li>`).join('') +
        '</ul></div>';
  const figures = section.figures.map((f) => figureHtml(f, ++n.figure, svgs.get(f.id) ?? ''));
  const tables = section.tables.map((t) => tableHtml(t, ++n.table));
  return [
    `<section id="${section.id}">`,
    `<h2>${escapeHtml(section.title)}</h2>`,
    notices,
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

/** One file of a report, its path relative to the report's folder. */
export interface ReportFile {
  path: string;
  data: string | Uint8Array;
}

/**
 * Where a report's files go. The CLI passes its run directory (src/log/run-dir.ts), which
 * refuses to overwrite a file gradscope did not write and lists what it wrote; it removes the
 * previous report's figures itself, so nothing here deletes.
 */
export interface ReportFileSink {
  /** Writes every file, or none when one of them is refused. */
  writeFiles(files: readonly ReportFile[]): void | Promise<void>;
}

/** Plain files in `dir`: an API caller who names a folder means to write there. */
function plainFiles(dir: string): ReportFileSink {
  return {
    async writeFiles(files) {
      for (const file of files) {
        const path = join(dir, file.path);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, file.data);
      }
    },
  };
}

/**
 * Renders every figure and writes `outDir/report.html` and `outDir/figures/<id>.png` through
 * `sink` (defaults to plain files in `outDir`, created as needed). Every figure is rendered
 * before the first file is written. Returns the paths written.
 */
export async function writeReport(
  report: Report,
  outDir: string,
  sink: ReportFileSink = plainFiles(outDir),
): Promise<{ html: string; pngs: string[] }> {
  checkIds(report);
  const svgs = new Map<string, string>();
  const files: ReportFile[] = [];
  for (const figure of report.sections.flatMap((s) => s.figures)) {
    const svg = await renderSvg(figure.spec);
    svgs.set(figure.id, svg);
    files.push({ path: `${FIGURES_DIR}/${figure.id}.png`, data: renderPng(svg) });
    await releaseRenderedImages();
  }
  const pngs = files.map((file) => join(outDir, file.path));
  files.push({ path: REPORT_FILE, data: renderHtml(report, svgs) });
  await sink.writeFiles(files);
  return { html: join(outDir, REPORT_FILE), pngs };
}
