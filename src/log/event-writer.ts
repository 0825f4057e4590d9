/**
 * Writes TensorBoard event files.
 *
 * On disk, a run is a directory holding one or more files named
 * `events.out.tfevents.<seconds>.<hostname>.<pid>.<thread>.<counter>` (seconds since the Unix
 * epoch when the file was created; `thread` is the worker thread's id, 0 on the main thread,
 * since each thread has its own counter; the counter tells apart files one thread opens in the
 * same second). TensorBoard needs only `tfevents` in the name; run-dir.ts knows a process's
 * files by `.<hostname>.<pid>.`.
 * Each file is a sequence of TFRecords (framing and its edge cases: record-format.ts), each
 * record one serialized `Event` protobuf (proto.ts):
 * - the first event has `wall_time` and `file_version` = "brain.Event:2", nothing else;
 * - every later event has `wall_time` (seconds, float64), `step` (int64) and a `summary` of one
 *   or more values; scalars.ts and histograms.ts define the two value forms we write and their
 *   edge cases (float32 rounding, empty and all-equal histograms, non-finite values).
 *
 * Each event is written with one synchronous write as soon as it is added, so a run killed at
 * any moment leaves a file that reads whole up to its last complete record, and a reader
 * polling the file sees every event a moment after it was added.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { encodeEvent, FILE_VERSION, type EventMessage, type SummaryValueMessage } from './proto.js';
import { encodeRecord } from './record-format.js';

// Files opened by this thread so far (module state is per thread); unique names within a second.
let fileCounter = 0;

/** Seconds since the Unix epoch, the unit of `wall_time`. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

export class EventFileWriter {
  /** Path of the event file being written. */
  readonly path: string;
  private fd: number | undefined;

  /** Creates `logdir` (and its parents) if needed and opens a new event file in it. */
  constructor(logdir: string) {
    fs.mkdirSync(logdir, { recursive: true });
    const wallTime = nowSeconds();
    const name = [
      'events.out.tfevents',
      Math.floor(wallTime),
      os.hostname(),
      process.pid,
      threadId,
      fileCounter++,
    ].join('.');
    this.path = path.join(logdir, name);
    this.fd = fs.openSync(this.path, 'wx');
    this.write({ wallTime, fileVersion: FILE_VERSION });
  }

  /** Appends one event as one record, synchronously. */
  write(event: EventMessage): void {
    if (this.fd === undefined) {
      const expected = 'EventFileWriter: expected an open file, but it was closed.';
      throw new Error(`${expected} Received: write to ${this.path}`);
    }
    const record = encodeRecord(encodeEvent(event));
    let written = 0;
    while (written < record.length) {
      written += fs.writeSync(this.fd, record, written, record.length - written);
    }
  }

  /**
   * Appends an event holding `values` at `step`. `wallTime` is in seconds since the Unix epoch
   * and defaults to now.
   */
  addSummary(values: SummaryValueMessage[], step: number, wallTime = nowSeconds()): void {
    if (!Number.isSafeInteger(step)) {
      throw new Error(`EventFileWriter: step must be an integer. Received: step=${step}`);
    }
    for (const value of values) {
      if (typeof value.tag !== 'string' || value.tag === '') {
        const received = JSON.stringify(value.tag);
        throw new Error(
          `EventFileWriter: tag must be a non-empty string. Received: tag=${received}`,
        );
      }
    }
    this.write({ wallTime, step, summary: { value: values } });
  }

  /** Closes the file; further writes throw. Closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
