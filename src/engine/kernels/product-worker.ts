/**
 * The product helper thread: the kernels module instantiated on the main thread's heap memory,
 * running the second half of the products the main thread hands it (threads.ts). It owns no
 * heap; its packing buffer is a block the main thread allocated for it. The module has no data
 * segments and no start function, so a second instance writes nothing on instantiation.
 */
import { workerData } from 'node:worker_threads';
import {
  awaitChange,
  EXIT_OP,
  PRODUCT_OPS,
  SLOT,
  type ProductExports,
  type ProductWorkerData,
} from './product-control.js';
import { instantiateOn } from './wasm-instance.js';

/**
 * Reads of `seq` before sleeping, a few µs: long enough to catch a product that follows at once,
 * short enough not to hold a core another process needs.
 */
const IDLE_SPINS = 5000;

const { module, memory, scratch, control, file } = workerData as ProductWorkerData;
const wasm = instantiateOn<ProductExports>(module, memory, file);
wasm.setScratch(scratch);
const products = PRODUCT_OPS.map((op) => wasm[op]);
Atomics.store(control, SLOT.ready, 1);
Atomics.notify(control, SLOT.ready);

let seen = 0;
for (;;) {
  const seq = awaitChange(control, SLOT.seq, seen, IDLE_SPINS);
  seen = seq;
  const op = control[SLOT.op];
  if (op === EXIT_OP) break;
  try {
    products[op](
      control[SLOT.a] >>> 0,
      control[SLOT.b] >>> 0,
      control[SLOT.c] >>> 0,
      control[SLOT.m],
      control[SLOT.k],
      control[SLOT.n],
      control[SLOT.accumulate],
      control[SLOT.r0],
      control[SLOT.r1],
    );
  } catch {
    Atomics.store(control, SLOT.failed, 1);
  }
  Atomics.store(control, SLOT.done, seq);
  Atomics.notify(control, SLOT.done);
}
