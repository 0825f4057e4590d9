/**
 * Both CRC checks of many small records at once, and the decoding of the scalar events among
 * them, in WebAssembly (assembly/records.ts): the reader's bulk path (record-format.ts
 * `visitRecords`). Checking a million scalar records of an 84 MB file takes ~0.09 s there
 * against 0.13–0.35 s in JavaScript, where the speed also depends on what the JIT makes of the
 * loop; decoding their events there too saves JavaScript about as much again.
 *
 * The module works on its own memory of 17 pages (1088 KiB), laid out as
 *   [0, 8 KiB)             the CRC tables (filled by the module's `init`);
 *   [64 KiB, 832 KiB)      results: an entry of ENTRY_BYTES per record (see `RecordEntries`);
 *   [832 KiB, 1088 KiB)    the window: the bytes checked, copied in by `checkWindow`.
 * A copy costs ~1% of the check, and lets the caller keep its bytes anywhere: a reader's buffer
 * may be filled by an asynchronous read while another run's bytes are checked.
 */
import { compileWasm, instantiateOn } from '../engine/kernels/wasm-instance.js';

const FILE = 'records.wasm';

/** Bytes checked per call: records longer than this are checked by the caller itself. */
export const WINDOW_BYTES = 256 << 10;
const PAGES = 17;
const RESULTS_ADDRESS = 64 << 10;
const ENTRY_BYTES = 48;
/** The smallest record (no data) takes 16 bytes, so a window holds at most this many. */
const CAPACITY = WINDOW_BYTES / 16;
const WINDOW_ADDRESS = RESULTS_ADDRESS + CAPACITY * ENTRY_BYTES;

/** A record's status in its entry. */
export const BAD_DATA_CRC = 0;
export const INTACT = 1;
/** Intact, and holding one scalar in a form the module decodes (see assembly/records.ts). */
export const SCALAR = 2;

/**
 * The entries of the records last checked, record k at `ints[12k…]` and `floats[6k…]`: offset
 * from the window's start `ints[12k]`, data length `ints[12k+1]`, status `ints[12k+2]`; for a
 * SCALAR record also the tag's start and end `ints[12k+3]`, `ints[12k+4]` (from the window's
 * start), and step, wall time and value `floats[6k+3]`, `floats[6k+4]`, `floats[6k+5]`.
 */
export interface RecordEntries {
  count: number;
  ints: Int32Array;
  floats: Float64Array;
}

interface RecordsModule {
  init(): void;
  checkRecords(data: number, length: number, out: number, capacity: number): number;
}

interface Checker {
  module: RecordsModule;
  window: Uint8Array;
  entries: RecordEntries;
}

let checker: Checker | undefined;

function load(): Checker {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const module = instantiateOn<RecordsModule>(compileWasm(FILE), memory, FILE);
  module.init();
  const results = CAPACITY * ENTRY_BYTES;
  return {
    module,
    window: new Uint8Array(memory.buffer, WINDOW_ADDRESS, WINDOW_BYTES),
    entries: {
      count: 0,
      ints: new Int32Array(memory.buffer, RESULTS_ADDRESS, results / 4),
      floats: new Float64Array(memory.buffer, RESULTS_ADDRESS, results / 8),
    },
  };
}

/**
 * Checks the records in `bytes[start, min(end, start + WINDOW_BYTES))` from the first one on
 * (see assembly/records.ts `checkRecords` for where it stops). The entries are valid until the
 * next call.
 */
export function checkWindow(bytes: Uint8Array, start: number, end: number): RecordEntries {
  checker ??= load();
  const length = Math.min(end - start, WINDOW_BYTES);
  checker.window.set(bytes.subarray(start, start + length));
  const { module, entries } = checker;
  entries.count = module.checkRecords(WINDOW_ADDRESS, length, RESULTS_ADDRESS, CAPACITY);
  return entries;
}
