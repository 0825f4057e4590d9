/**
 * Progress reporting for long work. On a terminal (stdout is a TTY and --json is off) a bar
 * is redrawn on stderr; otherwise plain lines go to stderr at most every few seconds, so logs
 * stay readable and stdout stays clean for --json.
 */
import type { ProgressSink } from '../experiments/experiment.js';

const BAR_WIDTH = 28;
const PLAIN_INTERVAL_MS = 2000;

export function createProgress(options: {
  json: boolean;
  stream?: NodeJS.WriteStream;
}): ProgressSink {
  const stream = options.stream ?? process.stderr;
  const interactive = !options.json && process.stdout.isTTY === true && stream.isTTY === true;
  return interactive ? new BarProgress(stream) : new LineProgress(stream);
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

class BarProgress implements ProgressSink {
  private label = '';
  private total = 1;
  private started = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(label: string, total: number): void {
    this.label = label;
    this.total = Math.max(1, total);
    this.started = Date.now();
    this.update(0);
  }

  update(done: number, status = ''): void {
    const fraction = Math.min(1, done / this.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = Date.now() - this.started;
    const eta = fraction > 0 ? formatSeconds((elapsed / fraction) * (1 - fraction)) : '?';
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    this.stream.write(`\r\x1b[K${this.label} ${bar} ${pct} eta ${eta} ${status}`);
  }

  finish(status = ''): void {
    const elapsed = formatSeconds(Date.now() - this.started);
    this.stream.write(`\r\x1b[K${this.label} done in ${elapsed} ${status}\n`);
  }

  note(line: string): void {
    this.stream.write(`\r\x1b[K${line}\n`);
  }
}

class LineProgress implements ProgressSink {
  private label = '';
  private total = 1;
  private started = 0;
  private lastLine = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(label: string, total: number): void {
    this.label = label;
    this.total = Math.max(1, total);
    this.started = this.lastLine = Date.now();
    this.stream.write(`${label}: started (${total} steps)\n`);
  }

  update(done: number, status = ''): void {
    const now = Date.now();
    if (now - this.lastLine < PLAIN_INTERVAL_MS) return;
    this.lastLine = now;
    const pct = Math.floor((100 * Math.min(done, this.total)) / this.total);
    this.stream.write(`${this.label}: ${pct}% (${done}/${this.total}) ${status}\n`);
  }

  finish(status = ''): void {
    this.stream.write(
      `${this.label}: done in ${formatSeconds(Date.now() - this.started)} ${status}\n`,
    );
  }

  note(line: string): void {
    this.stream.write(`${line}\n`);
  }
}
