/**
 * Both cores for one model: a matrix product big enough to pay for the hand-off is split by
 * rows of C between this thread and one persistent helper thread (product-worker.ts) that runs
 * the same kernels module on the same shared heap memory. Each element of C is computed by the
 * same instructions in either thread (assembly/kernels.ts), so the result has the same bits
 * for 1 and 2 threads.
 *
 * The setting: `setThreads(1 | 2 | 'auto')`, or GRADSCOPE_THREADS=1|2|auto at load. Defaults
 * to 'auto': split on the main thread only, where the machine has 2 cores or more, while other
 * processes leave a core free (`coresBusy`), and only products of at least AUTO_MIN_FLOPS. Experiments that train one model per worker thread (the
 * fashion and sequence experiments) already keep the cores busy, so 'auto' never splits in a
 * worker thread; 2 forces a split of every product of 2 rows or more, wherever it runs.
 *
 * The helper starts at the first split, is unref'd (it never keeps the process alive) and
 * stops with `stopThreads()`, or when the process exits.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { ValueError } from '../errors.js';
import { heap } from '../heap.js';
import {
  awaitChange,
  CONTROL_SLOTS,
  EXIT_OP,
  PRODUCT_OPS,
  SLOT,
  type ProductOp,
  type ProductWorkerData,
} from './product-control.js';

export type ThreadSetting = 1 | 2 | 'auto';

/**
 * Products below this many FLOPs (2·m·k·n) stay on one thread under 'auto': the hand-off costs
 * a few µs (bench/threads.ts measures it), which a product this size repays.
 */
export const AUTO_MIN_FLOPS = 4_000_000;
/** Reads of `done` before sleeping: the helper's half ends within µs of ours. */
const JOIN_SPINS = 5000;
/** How long the first split waits for the helper to start before 'auto' gives up on it. */
const START_TIMEOUT_MS = 30000;

export function parseThreadSetting(value: string | undefined): ThreadSetting {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  throw new ValueError(`GRADSCOPE_THREADS must be 1, 2 or auto. Received: ${value}`);
}

let setting: ThreadSetting = parseThreadSetting(process.env.GRADSCOPE_THREADS);

/** Sets how many threads the matrix products use (see the module comment). */
export function setThreads(value: ThreadSetting): void {
  if (value !== 1 && value !== 2 && value !== 'auto') {
    throw new ValueError(`setThreads: threads must be 1, 2 or 'auto'. Received: ${String(value)}`);
  }
  setting = value;
}

export function threadSetting(): ThreadSetting {
  return setting;
}

const autoSplits = isMainThread && availableParallelism() >= 2;

/**
 * Linux's CPU pressure (/proc/pressure/cpu, "some avg10": the share of the last 10 s in which a
 * runnable thread waited for a core) above which 'auto' keeps one thread. Measured on this
 * project's shared 2-core machine at 96–98% pressure: a 1024-wide grid epoch took 1.5× longer
 * in wall time split than on one thread, because each half waits its turn for a core and the
 * product waits for the later half.
 */
export const BUSY_PRESSURE = 50;
const PRESSURE_INTERVAL_MS = 1000;
let pressureReadAt = -Infinity;
let busy = false;

/** Whether other work holds the cores (CPU pressure above BUSY_PRESSURE), read once a second. */
export function coresBusy(): boolean {
  const now = performance.now();
  if (now - pressureReadAt < PRESSURE_INTERVAL_MS) return busy;
  pressureReadAt = now;
  try {
    const some = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    busy = some !== null && Number(some[1]) > BUSY_PRESSURE;
  } catch {
    // No pressure information (not Linux, or PSI off): assume the cores are free.
    busy = false;
  }
  return busy;
}

/** Set when the helper failed to start: 'auto' then stays on one thread for good. */
let startFailed = false;

/**
 * The first row of the helper's half of an m-row product of 2·m·k·n FLOPs, or 0 for no split.
 * Halves end on a multiple of 4 rows (the kernels' row block) where there are 8 rows or more.
 */
export function splitRow(m: number, k: number, n: number): number {
  if (setting === 1 || m < 2) return 0;
  if (setting === 'auto') {
    if (!autoSplits || startFailed || m < 8 || 2 * m * k * n < AUTO_MIN_FLOPS) return 0;
    if (coresBusy()) return 0;
  }
  return m >= 8 ? 4 * Math.round(m / 8) : m >> 1;
}

/** How many threads a product of these dimensions runs on now. */
export function productThreads(m: number, k: number, n: number): 1 | 2 {
  return splitRow(m, k, n) === 0 ? 1 : 2;
}

interface Helper {
  worker: Worker;
  control: Int32Array;
  scratch: number;
  scratchBytes: number;
  seq: number;
}

let helper: Helper | null = null;
let splits = 0;

/** How many products this thread has split with the helper so far. */
export function productsSplit(): number {
  return splits;
}

/** What the helper needs to start: the compiled kernels and the size of a packing buffer. */
export interface HelperStart {
  module: WebAssembly.Module;
  file: string;
  scratchBytes: number;
}

function startHelper({ module, file, scratchBytes }: HelperStart): Helper | null {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const scratch = heap.alloc(scratchBytes);
  const workerData: ProductWorkerData = { module, memory: heap.memory, scratch, control, file };
  // No inherited execArgv: under `node --input-type=module -e` the worker waited on this
  // thread's event loop, which the Atomics.wait below blocks. V8 flags are process-wide anyway.
  const worker = new Worker(new URL('./product-worker.js', import.meta.url), {
    workerData,
    execArgv: [],
  });
  worker.unref();
  // The worker's own failure (it cannot load) is reported through `ready` staying 0.
  worker.on('error', () => undefined);
  if (Atomics.wait(control, SLOT.ready, 0, START_TIMEOUT_MS) === 'timed-out') {
    void worker.terminate();
    heap.release(scratch, scratchBytes);
    return null;
  }
  return { worker, control, scratch, scratchBytes, seq: 0 };
}

/**
 * The running helper, started if need be; null when it cannot start and the setting is 'auto'
 * (training goes on, on one thread). A forced 2 throws instead.
 */
function runningHelper(start: HelperStart): Helper | null {
  if (helper !== null) return helper;
  if (!startFailed || setting === 2) {
    helper = startHelper(start);
    startFailed = helper === null;
    if (startFailed && setting === 'auto') {
      process.emitWarning(
        `gradscope: the product helper thread did not start in ${START_TIMEOUT_MS} ms; ` +
          'the matrix products stay on one thread',
      );
    }
  }
  if (helper === null && setting === 2) {
    throw new Error(
      'gradscope: 2 threads were asked for (GRADSCOPE_THREADS or setThreads), but the product ' +
        `helper thread did not start in ${START_TIMEOUT_MS} ms`,
    );
  }
  return helper;
}

/**
 * Runs `op`'s rows [0, split) here through `run` and rows [split, m) in the helper, and returns
 * once both are done. `module` (the kernels, compiled) starts the helper on the first call.
 */
export function splitProduct(
  op: ProductOp,
  args: { a: number; b: number; c: number; m: number; k: number; n: number; accumulate: number },
  split: number,
  run: (r0: number, r1: number) => void,
  start: HelperStart,
): void {
  const running = runningHelper(start);
  if (running === null) {
    run(0, args.m);
    return;
  }
  const { control } = running;
  control[SLOT.op] = PRODUCT_OPS.indexOf(op);
  control[SLOT.a] = args.a;
  control[SLOT.b] = args.b;
  control[SLOT.c] = args.c;
  control[SLOT.m] = args.m;
  control[SLOT.k] = args.k;
  control[SLOT.n] = args.n;
  control[SLOT.accumulate] = args.accumulate;
  control[SLOT.r0] = split;
  control[SLOT.r1] = args.m;
  const seq = ++running.seq;
  splits++;
  Atomics.store(control, SLOT.seq, seq);
  Atomics.notify(control, SLOT.seq);
  try {
    run(0, split);
  } finally {
    // The helper may be writing C: never return before it is done, even when our half threw.
    let done = Atomics.load(control, SLOT.done);
    while (done !== seq) done = awaitChange(control, SLOT.done, done, JOIN_SPINS);
  }
  if (Atomics.exchange(control, SLOT.failed, 0) !== 0) {
    throw new Error(`gradscope: ${op} failed in the product helper thread`);
  }
}

/** Stops the helper thread, if it runs; the next split starts a new one. */
export async function stopThreads(): Promise<void> {
  if (helper === null) return;
  const { worker, control, scratch, scratchBytes } = helper;
  helper = null;
  // Held until it has exited: an unref'd worker's 'exit' would not keep the loop alive.
  worker.ref();
  control[SLOT.op] = EXIT_OP;
  Atomics.add(control, SLOT.seq, 1);
  Atomics.notify(control, SLOT.seq);
  await new Promise((resolve) => worker.once('exit', resolve));
  heap.release(scratch, scratchBytes);
}
