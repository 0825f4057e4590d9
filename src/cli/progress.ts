/**
 * Progress reporting for long work. On a terminal (stdout is a TTY and --json is off) a bar
 * is redrawn on stderr; otherwise plain lines go to stderr at most every few seconds, so logs
 * stay readable and stdout stays clean for --json.
 */
import type { ProgressSink } from '../experiments/progress.js';

const BAR_WIDTH = 28;
/** A terminal bar is redrawn at most this often. */
const BAR_INTERVAL_MS = 100;
/** Plain progress lines are written at most this often. */
const LINE_INTERVAL_MS = 2000;

export function createProgress(options: {
  json: boolean;
  stream?: NodeJS.WriteStream;
}): ProgressSink {
  const stream = options.stream ?? process.stderr;
  const interactive = !options.json && process.stdout.isTTY === true && stream.isTTY === true;
  return interactive ? new BarProgress(stream) : new LineProgress(stream);
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

/** The task being tracked and when to draw; subclasses say how. */
abstract class Progress implements ProgressSink {
  protected label = '';
  protected total = 1;
  protected started = 0;
  private lastDrawn = 0;

  constructor(
    protected readonly stream: NodeJS.WriteStream,
    private readonly interval: number,
  ) {}

  start(label: string, total: number): void {
    this.label = label;
    this.total = Math.max(1, total);
    this.started = this.lastDrawn = Date.now();
    this.begin();
  }

  update(done: number, status = ''): void {
    const now = Date.now();
    if (now - this.lastDrawn < this.interval) return;
    this.lastDrawn = now;
    this.draw(Math.min(1, done / this.total), done, status);
  }

  finish(status = ''): void {
    this.end(`done in ${formatSeconds(Date.now() - this.started)} ${status}`);
  }

  abstract note(line: string): void;
  protected abstract begin(): void;
  protected abstract draw(fraction: number, done: number, status: string): void;
  protected abstract end(summary: string): void;
}

class BarProgress extends Progress {
  constructor(stream: NodeJS.WriteStream) {
    super(stream, BAR_INTERVAL_MS);
  }

  protected begin(): void {
    this.draw(0, 0, '');
  }

  protected draw(fraction: number, _done: number, status: string): void {
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = Date.now() - this.started;
    const eta = fraction > 0 ? formatSeconds((elapsed / fraction) * (1 - fraction)) : '?';
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    this.stream.write(`\r\x1b[K${this.label} ${bar} ${pct} eta ${eta} ${status}`);
  }

  protected end(summary: string): void {
    this.note(`${this.label} ${summary}`);
  }

  note(line: string): void {
    this.stream.write(`\r\x1b[K${line}\n`);
  }
}

class LineProgress extends Progress {
  constructor(stream: NodeJS.WriteStream) {
    super(stream, LINE_INTERVAL_MS);
  }

  protected begin(): void {
    this.note(`${this.label}: started (${this.total} steps)`);
  }

  protected draw(fraction: number, done: number, status: string): void {
    this.note(`${this.label}: ${Math.floor(fraction * 100)}% (${done}/${this.total}) ${status}`);
  }

  protected end(summary: string): void {
    this.note(`${this.label}: ${summary}`);
  }

  note(line: string): void {
    this.stream.write(`${line}\n`);
  }
}
