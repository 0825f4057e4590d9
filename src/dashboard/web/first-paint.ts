/**
 * Performance marks (performance.getEntriesByName) set in the frame that paints a chart: their
 * startTime counts from navigation. bench/dashboard.ts reads them; a module of its own so that
 * Node can import it without the page's browser libraries.
 */

/** The page's first chart. */
export const FIRST_CHART_MARK = 'gradscope:first-chart';

/** The first chart under the element of id `parentId` (e.g. 'scalar-charts'). */
export function firstChartIn(parentId: string): string {
  return `${FIRST_CHART_MARK}:${parentId}`;
}

/** The frame after every view has drawn for the first time. */
export const ALL_CHARTS_MARK = 'gradscope:all-charts';
