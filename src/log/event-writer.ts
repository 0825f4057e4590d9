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
 * - the first event has `wall_time`, `file_version` = "brain.Event:2" and
 *   `source_metadata.writer` = "gradscope", or "gradscope <command>" when the writer is told
 *   the command that trains the run (gradscopeWriter: how readers know our runs and the flags
 *   their remedies may name);
 * - every later event has `wall_time` (seconds, float64), `step` (int64) and a `summary` of one
 *   or more values; scalars.ts and histograms.ts define the two value forms we write and their
 *   edge cases (float32 rounding, empty and all-equal histograms, non-finite values).
 *
 * Each event is written with one synchronous write as soon as it is added, so a run killed at
 * any moment leaves a file that reads whole up to its last complete record, and a reader
 * polling the file sees every event a moment after it was added. Between `hold()` and `flush()`
 * (the probes hold during each of their callbacks) records are kept and written together with
 * one write, and consecutive scalars of one step and wall time become one event with several
 * values, as TensorFlow's merged summaries are: same values, fewer records and system calls.
 * Scalar events are encoded by hand (scalar-encoder.ts), the rest by protobufjs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { nowSeconds, type ScalarGroup } from '../probe/sink.js';
import {
  encodeEvent,
  FILE_VERSION,
  gradscopeWriter,
  type EventMessage,
  type SummaryValueMessage,
} from './proto.js';
import { frameRecord, RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES } from './record-format.js';
import {
  appendScalarEvent,
  ByteBuffer,
  scalarEventLength,
  scalarTemplate,
  type ScalarTemplate,
} from './scalar-encoder.js';

// Files opened by this thread so far (module state is per thread); unique names within a second.
let fileCounter = 0;

export { nowSeconds };

/** Held bytes beyond this are written at once, so a long hold keeps little memory. */
const MAX_HELD_BYTES = 1 << 20;
const FRAME_BYTES = RECORD_HEADER_BYTES + RECORD_FOOTER_BYTES;

export class EventFileWriter {
  /** Path of the event file being written. */
  readonly path: string;
  private fd: number | undefined;
  /** Whole records not written yet. */
  private readonly out = new ByteBuffer();
  /** The Summary.Values of the scalar event being built, at `openStep` and `openWallTime`. */
  private readonly values = new ByteBuffer();
  private eventOpen = false;
  private openStep = 0;
  private openWallTime = 0;
  private held = false;
  private readonly templates = new Map<string, ScalarTemplate>();

  /**
   * Creates `logdir` (and its parents) if needed and opens a new event file in it. `command`,
   * the gradscope command writing the run, goes into the file's writer name; defaults to none.
   */
  constructor(logdir: string, command?: string) {
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
    this.write({
      wallTime,
      fileVersion: FILE_VERSION,
      sourceMetadata: { writer: gradscopeWriter(command) },
    });
  }

  /** Appends one event as one record (written at once unless held). */
  write(event: EventMessage): void {
    this.checkOpen();
    this.endEvent();
    const data = encodeEvent(event);
    const out = this.out;
    out.reserve(data.length + FRAME_BYTES);
    const start = out.length;
    out.length += RECORD_HEADER_BYTES;
    out.append(data);
    frameRecord(out.bytes, out.view, start, data.length);
    out.length += RECORD_FOOTER_BYTES;
    this.written();
  }

  /**
   * Appends an event holding `values` at `step`. `wallTime` is in seconds since the Unix epoch
   * and defaults to now.
   */
  addSummary(values: SummaryValueMessage[], step: number, wallTime = nowSeconds()): void {
    checkStep(step);
    for (const value of values) checkTag(value.tag);
    this.write({ wallTime, step, summary: { value: values } });
  }

  /**
   * Appends the scalar `value` (as float32) under `tag` at `step`: the bytes of
   * `addSummary([scalarSummaryValue(tag, value)], step, wallTime)`, or, while held, one more
   * value of the event of the scalar before when it has the same step and wall time.
   */
  addScalar(tag: string, value: number, step: number, wallTime = nowSeconds()): void {
    const template = this.template(tag);
    this.openEvent(step, wallTime);
    this.values.scalar(template, value);
    if (!this.held) this.written();
  }

  /** `tag`'s Summary.Value template, made on first use. */
  private template(tag: string): ScalarTemplate {
    let template = this.templates.get(tag);
    if (template === undefined) {
      checkTag(tag);
      this.templates.set(tag, (template = scalarTemplate(tag)));
    }
    return template;
  }

  /** Makes the scalar event being built one at `step` and `wallTime`, ending another. */
  private openEvent(step: number, wallTime: number): void {
    this.checkOpen();
    if (this.eventOpen && (this.openStep !== step || this.openWallTime !== wallTime)) {
      this.endEvent();
    }
    if (!this.eventOpen) {
      checkStep(step);
      this.eventOpen = true;
      this.openStep = step;
      this.openWallTime = wallTime;
    }
  }

  /**
   * The scalars of `tags`, written together: the Summary.Values of every tag, encoded once into
   * one template, copied by each write with the floats patched in; the same bytes as
   * `addScalar` for each tag in order.
   */
  scalarGroup(tags: readonly string[]): ScalarGroup {
    const parts = tags.map((tag) => this.template(tag));
    const template = new Uint8Array(parts.reduce((sum, part) => sum + part.bytes.length, 0));
    const floatOffsets = new Int32Array(parts.length);
    let at = 0;
    parts.forEach((part, k) => {
      template.set(part.bytes, at);
      floatOffsets[k] = at + part.floatOffset;
      at += part.bytes.length;
    });
    return {
      write: (values, step, wallTime) => {
        this.openEvent(step, wallTime);
        this.values.scalars(template, floatOffsets, values);
        if (!this.held) this.written();
      },
    };
  }

  /** Until `flush`, records are kept and written together (see the top of this file). */
  hold(): void {
    this.held = true;
  }

  /** Writes what is held, with one write, and returns to writing each record as it comes. */
  flush(): void {
    this.held = false;
    this.written();
  }

  /** Writes what is held and closes the file; further writes throw. Closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** After a record: writes it now unless held (or the held bytes grew large). */
  private written(): void {
    if (this.held && this.out.length + this.values.length < MAX_HELD_BYTES) return;
    this.endEvent();
    const out = this.out;
    let written = 0;
    while (written < out.length) {
      written += fs.writeSync(this.fd!, out.bytes, written, out.length - written);
    }
    out.length = 0;
  }

  /** Frames the scalar event being built, if any, as one record of `out`. */
  private endEvent(): void {
    if (!this.eventOpen) return;
    const { out, values } = this;
    const dataLength = scalarEventLength(this.openStep, values.length);
    out.reserve(dataLength + FRAME_BYTES);
    const start = out.length;
    out.length += RECORD_HEADER_BYTES;
    appendScalarEvent(out, this.openWallTime, this.openStep, values.bytes, 0, values.length);
    frameRecord(out.bytes, out.view, start, dataLength);
    out.length += RECORD_FOOTER_BYTES;
    values.length = 0;
    this.eventOpen = false;
  }

  private checkOpen(): void {
    if (this.fd === undefined) {
      const expected = 'EventFileWriter: expected an open file, but it was closed.';
      throw new Error(`${expected} Received: write to ${this.path}`);
    }
  }
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step)) {
    throw new Error(`EventFileWriter: step must be an integer. Received: step=${step}`);
  }
}

function checkTag(tag: unknown): void {
  if (typeof tag !== 'string' || tag === '') {
    const received = JSON.stringify(tag);
    throw new Error(`EventFileWriter: tag must be a non-empty string. Received: tag=${received}`);
  }
}
