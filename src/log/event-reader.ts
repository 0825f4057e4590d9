/**
 * Reads TensorBoard event files written by gradscope, TensorFlow, PyTorch or tensorboardX.
 *
 * Damage never throws: it becomes a warning, and everything readable is kept. A record with a
 * bad data CRC, or whose bytes are not an Event, is skipped and reading goes on; a truncated
 * record or a bad length CRC ends the file (see record-format.ts).
 */
import fs from 'node:fs/promises';
import { decodeEvent, type EventMessage } from './proto.js';
import { scanRecords } from './record-format.js';

/** Something wrong in an event file, located by the byte offset of the record concerned. */
export interface ReadWarning {
  file: string;
  offset: number;
  message: string;
}

/** An event and the byte offset of its record in the file. */
export interface EventRecord {
  offset: number;
  event: EventMessage;
}

export interface EventChunk {
  /** Events of the whole, intact records, in file order. */
  events: EventRecord[];
  /** Records skipped along the way (bad data CRC, not an Event). */
  skipped: ReadWarning[];
  /** Why reading stopped before the end of the bytes: truncation or a bad length CRC. */
  stopped?: ReadWarning;
  /** File offset just past the last whole record: where to resume once the file grows. */
  end: number;
}

/**
 * Decodes the events in `bytes`, which start at file offset `baseOffset` of `file` (the name is
 * only used in warnings).
 */
export function parseEvents(bytes: Uint8Array, file: string, baseOffset = 0): EventChunk {
  const scan = scanRecords(bytes, baseOffset);
  const chunk: EventChunk = {
    events: [],
    skipped: scan.skipped.map((problem) => ({ file, ...problem })),
    stopped: scan.stopped && { file, ...scan.stopped },
    end: scan.end,
  };
  for (const record of scan.records) {
    try {
      chunk.events.push({ offset: record.offset, event: decodeEvent(record.data) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `record is not an Event protobuf (${reason}); record skipped`;
      chunk.skipped.push({ file, offset: record.offset, message });
    }
  }
  return chunk;
}

/** Reads a whole event file: its events, and warnings for whatever could not be read. */
export async function readEventFile(
  file: string,
): Promise<{ events: EventMessage[]; warnings: ReadWarning[] }> {
  const chunk = parseEvents(await fs.readFile(file), file);
  return {
    events: chunk.events.map((record) => record.event),
    warnings: chunk.stopped ? [...chunk.skipped, chunk.stopped] : chunk.skipped,
  };
}
