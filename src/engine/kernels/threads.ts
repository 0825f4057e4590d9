/**
 * Both cores for one model: a matrix product big enough to pay for the hand-off is cut into
 * pieces (blocks of columns of C, or of rows when C is tall and narrow) that this thread and one
 * persistent helper thread (product-worker.ts), running the same kernels module on the same
 * shared heap memory, claim one at a time (product-control.ts). A helper that is late, because
 * it was asleep or another process holds the second core, takes fewer pieces rather than making
 * the product wait for a fixed half. Each element of C is computed by the same instructions in
 * either thread (assembly/kernels.ts), so the result has the same bits for 1 and 2 threads.
 * Adam's update of a large variable is shared the same way once the helper runs (blocks of
 * weights, each updated as on one thread; a measured Σ Δw² is summed by block on 1 thread too).
 *
 * The setting: `setThreads(1 | 2 | 'auto')`, or GRADSCOPE_THREADS=1|2|auto at load. Defaults
 * to 'auto': split on the main thread only, where the machine has 2 cores or more, while other
 * processes leave a core free (`coresBusy`), and only products of at least AUTO_MIN_FLOPS.
 * Experiments that train one model per worker thread (the fashion and sequence experiments)
 * already keep the cores busy, so 'auto' never splits in a worker thread; 2 forces a split of
 * every product that can be cut in two pieces, wherever it runs.
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
  ADAM_OP,
  ADAM_SLOT,
  awaitChange,
  claimPiece,
  CONTROL_SLOTS,
  FINISH_SLOT,
  MAX_CHUNKS,
  openClaim,
  PRODUCT_OPS,
  runAdamPiece,
  runPiece,
  SLOT,
  type NativeActivatedProduct,
  type ProductExport,
  type ProductOp,
  type ProductWorkerData,
} from './product-control.js';
import type { AdamExport } from './vector-wasm.js';

export type ThreadSetting = 1 | 2 | 'auto';

/**
 * Products below this many FLOPs (2·m·k·n) stay on one thread under 'auto': the hand-off costs
 * a few µs (bench/threads.ts measures it), which a product this size repays.
 */
export const AUTO_MIN_FLOPS = 4_000_000;
/**
 * Reads of `finished` before sleeping, 150–250 µs here (an atomic read of shared memory takes
 * 30–50 ns in V8): the helper's last piece ends within a piece's time of ours.
 */
const JOIN_SPINS = 5000;
/**
 * Pieces per product: at the end the main thread waits for at most the piece the helper is
 * computing (longer only if the helper loses its core in the middle of one).
 */
export const PIECES = 8;
/** Products are cut into fewer pieces where a piece would have fewer FLOPs than this. */
const MIN_PIECE_FLOPS = 500_000;
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

/**
 * Linux's CPU pressure now, "some avg10" in %, or NaN without pressure information (not Linux,
 * or PSI off).
 */
export function cpuPressure(): number {
  try {
    const some = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some === null ? NaN : Number(some[1]);
  } catch {
    return NaN;
  }
}

/** Whether other work holds the cores (CPU pressure above BUSY_PRESSURE), read once a second. */
export function coresBusy(): boolean {
  const now = performance.now();
  if (now - pressureReadAt < PRESSURE_INTERVAL_MS) return busy;
  pressureReadAt = now;
  // Without pressure information (NaN) the cores count as free.
  busy = cpuPressure() > BUSY_PRESSURE;
  return busy;
}

/** Set when the helper failed to start: 'auto' then stays on one thread for good. */
let startFailed = false;

/** How a product is cut: `chunks` blocks of `size` rows (axis 0) or columns (axis 1) of C. */
export interface SplitPlan {
  axis: 0 | 1;
  size: number;
  chunks: number;
}

/**
 * The pieces of an m×n product of 2·m·k·n FLOPs, at most `most` of them, or null for no split.
 * Column blocks are multiples of `strip` columns (the kernel's register block: 8 in wasm, 16 or
 * 32 natively), so each thread packs only its own columns of B; a C four times taller than wide
 * is cut by rows (multiples of 4 where it can), so that each piece does not read all of A again.
 */
export function splitPlan(
  m: number,
  k: number,
  n: number,
  { strip = 8, most = PIECES }: { strip?: number; most?: number } = {},
): SplitPlan | null {
  if (setting === 1) return null;
  const flops = 2 * m * k * n;
  if (setting === 'auto') {
    if (!autoSplits || startFailed || flops < AUTO_MIN_FLOPS) return null;
    if (coresBusy()) return null;
  }
  const pieces = Math.max(2, Math.min(most, Math.floor(flops / MIN_PIECE_FLOPS)));
  const strips = Math.ceil(n / strip);
  let plan: SplitPlan;
  if (m < 4 * n && strips >= 2) {
    const size = strip * Math.ceil(strips / Math.min(pieces, strips));
    plan = { axis: 1, size, chunks: Math.ceil(n / size) };
  } else {
    const per = Math.ceil(m / Math.min(pieces, m));
    const size = m >= 4 * pieces ? 4 * Math.ceil(per / 4) : per;
    plan = { axis: 0, size, chunks: Math.ceil(m / size) };
  }
  return plan.chunks >= 2 && plan.chunks <= MAX_CHUNKS ? plan : null;
}

/**
 * Adam updates of fewer weights stay on one thread: at about 1.5 ns a weight, 65,536 take
 * 100 µs, which repays the hand-off's few µs.
 */
export const ADAM_SPLIT_MIN = 65536;

/** An Adam update's blocks: `chunks` of `size` weights (a multiple of 16), the last shorter. */
export interface AdamBlocks {
  size: number;
  chunks: number;
}

/**
 * The blocks of an Adam update of n ≥ ADAM_SPLIT_MIN weights: PIECES blocks of a multiple of
 * 16 (the kernel's widest step), whatever the thread count, since a measured update sums its
 * Σ Δ² by block (kernels/adam.ts).
 */
export function adamBlocks(n: number): AdamBlocks {
  const size = 16 * Math.ceil(n / 16 / PIECES);
  return { size, chunks: Math.ceil(n / size) };
}

/**
 * The pieces of an Adam update of n weights (adamBlocks), or null for no split: where products
 * may split now (as splitPlan decides) and the helper already runs, which it does once a
 * product was split.
 */
export function adamSplitPlan(n: number): AdamBlocks | null {
  if (setting === 1 || helper === null || n < ADAM_SPLIT_MIN) return null;
  if (setting === 'auto' && (!autoSplits || coresBusy())) return null;
  return adamBlocks(n);
}

interface Helper {
  worker: Worker;
  control: Int32Array;
  /** `control`'s memory as float32, for the Adam task's step sizes. */
  floats: Float32Array;
  /** Σ Δ² of each piece of a measured Adam task. */
  results: Float64Array;
  scratch: number;
  scratchBytes: number;
  seq: number;
}

let helper: Helper | null = null;
let splits = 0;
let pieces = 0;

/** How many products this thread has split with the helper so far. */
export function productsSplit(): number {
  return splits;
}

/**
 * Of the pieces split so far (of products and of Adam updates), how many there were and how
 * many the helper computed.
 */
export function piecesSplit(): { pieces: number; helped: number } {
  return { pieces, helped: helper === null ? 0 : Atomics.load(helper.control, SLOT.helped) };
}

/**
 * What the helper needs to start: the compiled kernels, the vector module (Adam) and the size
 * of a packing buffer.
 */
export interface HelperStart {
  module: WebAssembly.Module;
  vectorModule: WebAssembly.Module;
  file: string;
  scratchBytes: number;
  /** Whether this thread runs products natively (native.ts), so the helper loads them too. */
  native: boolean;
}

function startHelper({
  module,
  vectorModule,
  file,
  scratchBytes,
  native,
}: HelperStart): Helper | null {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const scratch = heap.alloc(scratchBytes);
  const memory = heap.memory;
  const results = new Float64Array(new SharedArrayBuffer(PIECES * 8));
  const workerData: ProductWorkerData = {
    module,
    vectorModule,
    results,
    memory,
    scratch,
    control,
    file,
    native,
  };
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
  return {
    worker,
    control,
    floats: new Float32Array(control.buffer),
    results,
    scratch,
    scratchBytes,
    seq: 0,
  };
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
 * Runs `op` cut as `plan` says, this thread and the helper each computing pieces through their
 * own instance of the export (`run` is this thread's; `native` says whether it is the native
 * one, so the helper runs the same), and returns once every piece is done. `start` (the
 * kernels, compiled) starts the helper on the first call. With `finish` (native A·B only) every
 * block of C is finished as a Dense forward's (ProductFinish).
 */
export function splitProduct(
  op: ProductOp,
  args: { a: number; b: number; c: number; m: number; k: number; n: number; accumulate: number },
  plan: SplitPlan,
  native: boolean,
  run: ProductExport,
  start: HelperStart,
  finish: ProductFinish | null = null,
): void {
  const running = runningHelper(start);
  if (running === null) {
    const { a, b, c, m, k, n, accumulate } = args;
    if (finish === null) run(a, b, c, m, k, n, accumulate, 0, m, 0, n, 0);
    else finish.run(a, b, c, m, k, n, 0, m, 0, n, finish.bias, finish.out, finish.code);
    return;
  }
  const { control } = running;
  control[FINISH_SLOT.finish] = finish === null ? 0 : 1;
  if (finish !== null) {
    control[FINISH_SLOT.bias] = finish.bias;
    control[FINISH_SLOT.out] = finish.out;
    control[FINISH_SLOT.code] = finish.code;
  }
  control[SLOT.op] = PRODUCT_OPS.indexOf(op);
  control[SLOT.native] = native ? 1 : 0;
  control[SLOT.a] = args.a;
  control[SLOT.b] = args.b;
  control[SLOT.c] = args.c;
  control[SLOT.m] = args.m;
  control[SLOT.k] = args.k;
  control[SLOT.n] = args.n;
  control[SLOT.accumulate] = args.accumulate;
  control[SLOT.axis] = plan.axis;
  splits++;
  shareTask(running, op, plan, (piece) => runPiece(control, piece, run, finish?.run ?? null));
}

/**
 * A Dense forward's finish of a split A·B (native tasks only): each block of C gets the bias at
 * `bias` (0: none) and, for `code` relu, its output at `out` (FINISH_SLOT), through `run`.
 */
export interface ProductFinish {
  bias: number;
  out: number;
  code: number;
  /** This thread's native forward. */
  run: NativeActivatedProduct;
}

/**
 * The operands of an Adam update (assembly/adam.ts): byte addresses, length, how Σ Δ² is taken
 * (`mode`, 0 for none, with `scale`) and the step sizes.
 */
export interface AdamTask {
  w: number;
  g: number;
  m: number;
  v: number;
  n: number;
  mode: number;
  lrT: number;
  a1: number;
  a2: number;
  epsilon: number;
  scale: number;
  /** 0, or the byte address of a float64 per piece for Σ w² of its new weights. */
  squares: number;
}

/**
 * Adam's update cut as `plan` (adamSplitPlan) says, shared with the running helper as a product
 * is; returns each piece's Σ Δ² (0 unmeasured), by piece, valid until the next split. Each
 * weight's update is its own, so the pieces give the bits of one whole update.
 */
export function splitAdam(task: AdamTask, plan: AdamBlocks, run: AdamExport): Float64Array {
  if (helper === null) throw new Error('splitAdam: the helper thread is not running');
  const { control, floats, results } = helper;
  control[SLOT.op] = ADAM_OP;
  for (const key of ['w', 'g', 'm', 'v', 'n', 'mode', 'squares'] as const) {
    control[ADAM_SLOT[key]] = task[key];
  }
  for (const key of ['lrT', 'a1', 'a2', 'epsilon', 'scale'] as const) {
    floats[ADAM_SLOT[key]] = task[key];
  }
  shareTask(helper, 'adamUpdate', plan, (piece) =>
    runAdamPiece(control, floats, results, piece, run),
  );
  return results.subarray(0, plan.chunks);
}

/**
 * Opens the task whose operands are in `running`'s control block, cut into `plan.chunks`
 * pieces of `plan.size`, computes pieces here (`runOwn`) until none is left, then waits for the
 * helper's. `name` names the task in the error when a piece failed in the helper.
 */
function shareTask(
  running: Helper,
  name: string,
  plan: { size: number; chunks: number },
  runOwn: (piece: number) => void,
): void {
  const { control } = running;
  control[SLOT.size] = plan.size;
  control[SLOT.chunks] = plan.chunks;
  Atomics.store(control, SLOT.finished, 0);
  const seq = ++running.seq;
  const tag = openClaim(seq);
  // The atomic store publishes the operands above to whoever claims a piece.
  Atomics.store(control, SLOT.claim, tag);
  Atomics.store(control, SLOT.seq, seq);
  Atomics.notify(control, SLOT.seq);
  pieces += plan.chunks;
  try {
    for (let piece = claimPiece(control, tag); piece >= 0; piece = claimPiece(control, tag)) {
      runOwn(piece);
    }
  } finally {
    // Closed, so the helper claims nothing more; it may still be writing in a piece it holds,
    // so never return before that is done, even when one of ours threw.
    const claimed = Math.min(
      Atomics.exchange(control, SLOT.claim, tag | MAX_CHUNKS) & MAX_CHUNKS,
      plan.chunks,
    );
    let finished = Atomics.load(control, SLOT.finished);
    while (finished < claimed) finished = awaitChange(control, SLOT.finished, finished, JOIN_SPINS);
  }
  if (Atomics.exchange(control, SLOT.failed, 0) !== 0) {
    throw new Error(`gradscope: ${name} failed in the product helper thread`);
  }
}

/** Stops the helper thread, if it runs; the next split starts a new one. */
export async function stopThreads(): Promise<void> {
  if (helper === null) return;
  const { worker, control, scratch, scratchBytes } = helper;
  helper = null;
  // Held until it has exited: an unref'd worker's 'exit' would not keep the loop alive.
  worker.ref();
  Atomics.store(control, SLOT.exit, 1);
  Atomics.add(control, SLOT.seq, 1);
  Atomics.notify(control, SLOT.seq);
  await new Promise((resolve) => worker.once('exit', resolve));
  heap.release(scratch, scratchBytes);
}
