/** How experiments report long work, implemented by the CLI (src/cli/progress.ts). */

/** Progress of long work; the CLI draws a bar on a terminal, plain lines elsewhere. */
export interface ProgressSink {
  /** Starts a task of `total` units. */
  start(label: string, total: number): void;
  /** Reports `done` units finished so far, with an optional short status. */
  update(done: number, status?: string): void;
  /** Finishes the task with a final status line. */
  finish(status?: string): void;
  /** A line of text that is not progress (a finding, a file written). */
  note(line: string): void;
}
