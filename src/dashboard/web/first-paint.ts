/**
 * A performance mark (performance.getEntriesByName) set in the frame that paints the page's
 * first chart: its startTime is first paint, counted from navigation. bench/dashboard.ts reads
 * it; a module of its own so that Node can import it without the page's browser libraries.
 */
export const FIRST_CHART_MARK = 'gradscope:first-chart';
