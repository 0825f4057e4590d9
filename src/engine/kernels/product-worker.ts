/**
 * The product helper thread: the kernels module instantiated on the main thread's heap memory,
 * computing pieces of the products the main thread shares with it (threads.ts; the protocol is
 * in product-control.ts), and of Adam's updates through the vector module. It owns no heap;
 * its packing buffer is a block the main thread allocated for it. Neither module has data
 * segments or a start function, so a second instance writes nothing on instantiation.
 */
import { workerData } from 'node:worker_threads';
import {
  ADAM_OP,
  awaitChange,
  claimPiece,
  MAX_CHUNKS,
  PRODUCT_OPS,
  runAdamPiece,
  runPiece,
  SLOT,
  type ProductExports,
  type ProductWorkerData,
} from './product-control.js';
import type { AdamExport } from './vector-wasm.js';
import { nativeActivatedProduct, nativeAdam, nativeProducts } from './native.js';
import { instantiateOn } from './wasm-instance.js';

/**
 * Reads of `seq` before sleeping, 150–250 µs here (an atomic read of shared memory takes 30–50
 * ns in V8): long enough to catch the next product of a training step, short enough not to
 * hold a core another process needs for long.
 */
const IDLE_SPINS = 5000;

const { module, vectorModule, results, memory, scratch, control, file, native } =
  workerData as ProductWorkerData;
const wasm = instantiateOn<ProductExports>(module, memory, file);
wasm.setScratch(scratch);
const products = PRODUCT_OPS.map((op) => wasm[op]);
const fast = native ? nativeProducts(memory) : null;
const nativeRuns = PRODUCT_OPS.map(
  (op) =>
    fast?.[op] ??
    (() => {
      // Inside runPiece, so the piece still counts as finished and the main thread throws.
      throw new Error(`gradscope: the product helper could not load the native ${op}`);
    }),
);
/** The native Dense forward, for a product task with a finish (FINISH_SLOT). */
const finish = native ? nativeActivatedProduct(memory) : null;
const { adamUpdate } = instantiateOn<{ adamUpdate: AdamExport }>(
  vectorModule,
  memory,
  'vector.wasm',
);
// The native update has the wasm one's bits (native/adam.c), so the helper needs no word of
// the main thread's choice to use it.
const adamRun = nativeAdam(memory) ?? adamUpdate;
const floats = new Float32Array(control.buffer);
Atomics.store(control, SLOT.ready, 1);
Atomics.notify(control, SLOT.ready);

let seen = 0;
for (;;) {
  seen = awaitChange(control, SLOT.seq, seen, IDLE_SPINS);
  if (Atomics.load(control, SLOT.exit) !== 0) break;
  // The current task, whichever it is by now: a task that is over has closed its claim.
  const tag = Atomics.load(control, SLOT.claim) & ~MAX_CHUNKS;
  for (let piece = claimPiece(control, tag); piece >= 0; piece = claimPiece(control, tag)) {
    Atomics.add(control, SLOT.helped, 1);
    try {
      const op = control[SLOT.op];
      if (op === ADAM_OP) runAdamPiece(control, floats, results, piece, adamRun);
      else {
        const run = (control[SLOT.native] === 1 ? nativeRuns : products)[op];
        runPiece(control, piece, run, finish);
      }
    } catch {
      Atomics.store(control, SLOT.failed, 1);
    }
  }
}
