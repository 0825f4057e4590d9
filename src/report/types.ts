/** The shape of a report: what an experiment hands to `writeReport`. */
import type { VegaLiteSpec } from '../charts/line.js';

/** One chart. `id` names its anchor and its PNG file, so it is unique in the report. */
export interface Figure {
  /** Letters, digits, '-' and '_'; becomes figures/<id>.png. */
  id: string;
  title: string;
  /** One or two sentences saying what to look at. */
  caption: string;
  spec: VegaLiteSpec;
}

/** The numbers behind a figure. Numeric cells are formatted and right-aligned. */
export interface Table {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

/** One experiment's part of the report. */
export interface ReportSection {
  /** Letters, digits, '-' and '_'; the section's anchor. */
  id: string;
  title: string;
  /** Plain text; a blank line starts a new paragraph. */
  intro: string;
  /** Sentences computed from the run, shown above the figures. */
  findings: string[];
  figures: Figure[];
  tables: Table[];
}

export interface Report {
  title: string;
  subtitle: string;
  sections: ReportSection[];
  generatedAt: Date;
  /** Shown as a key–value list under the title, e.g. { seed: '3', node: 'v20.20.2' }. */
  meta: Record<string, string>;
}
