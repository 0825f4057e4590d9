/**
 * The control block through which the main thread hands half of a matrix product to the
 * product helper thread (threads.ts → product-worker.ts): Int32 slots in a SharedArrayBuffer.
 * The main thread writes a task's operands, then bumps `seq` (an atomic store, so the helper
 * sees the operands once it sees the new `seq`); the helper runs it, then stores `seq` in `done`.
 */

/** The products, in the order of the `op` slot. */
export const PRODUCT_OPS = ['matmul', 'matmulTransA', 'matmulTransB'] as const;
export type ProductOp = (typeof PRODUCT_OPS)[number];

/** The `op` slot's value that asks the helper to return. */
export const EXIT_OP = -1;

export const SLOT = {
  /** Task number, incremented by the main thread for each task. */
  seq: 0,
  /** The number of the last task the helper finished. */
  done: 1,
  /** 1 once the helper has instantiated its kernels. */
  ready: 2,
  /** 1 when a task threw in the helper. */
  failed: 3,
  /** The task: index into PRODUCT_OPS (or EXIT_OP), then the export's arguments in order. */
  op: 4,
  a: 5,
  b: 6,
  c: 7,
  m: 8,
  k: 9,
  n: 10,
  accumulate: 11,
  r0: 12,
  r1: 13,
} as const;

export const CONTROL_SLOTS = 14;

/** One export of assembly/kernels.ts: rows r0 ≤ i < r1 of C (m×n); byte addresses. */
export type ProductExport = (
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
  accumulate: number,
  r0: number,
  r1: number,
) => void;

export interface ProductExports {
  matmul: ProductExport;
  matmulTransA: ProductExport;
  matmulTransB: ProductExport;
  setScratch(ptr: number): void;
  SCRATCH_BYTES: WebAssembly.Global;
}

/** What the helper thread is started with. */
export interface ProductWorkerData {
  module: WebAssembly.Module;
  /** The main thread's heap memory (shared). */
  memory: WebAssembly.Memory;
  /** The helper's own packing buffer, a block of the main thread's heap. */
  scratch: number;
  control: Int32Array;
  /** The module's file name, for error messages. */
  file: string;
}

/**
 * Spins on `slot` for up to `spins` reads until it differs from `value`, then sleeps on it.
 * Returns the new value. The spin avoids the futex wake-up (tens of µs) when the other thread
 * is about to answer; a product's two halves finish within a few µs of each other.
 */
export function awaitChange(
  control: Int32Array,
  slot: number,
  value: number,
  spins: number,
): number {
  for (let i = 0; i < spins; i++) {
    const now = Atomics.load(control, slot);
    if (now !== value) return now;
  }
  for (;;) {
    Atomics.wait(control, slot, value);
    const now = Atomics.load(control, slot);
    if (now !== value) return now;
  }
}
