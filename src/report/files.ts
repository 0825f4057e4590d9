/**
 * The names of what a report writes into its run directory. Apart from the renderer, so the CLI
 * can check and clean them without loading vega and resvg, which training does not need.
 */

/** Folder of the PNG figures. */
export const FIGURES_DIR = 'figures';
/** The self-contained report page. */
export const REPORT_FILE = 'report.html';
