/**
 * The control block through which the main thread shares a matrix product with the product
 * helper thread (threads.ts → product-worker.ts): Int32 slots in a SharedArrayBuffer.
 *
 * A task is one product cut into `chunks` pieces (row or column blocks of C) that the two
 * threads claim one at a time, so a helper that is late (asleep, or waiting for a core another
 * process holds) takes fewer pieces instead of holding the product up: the main thread waits
 * at most for the piece the helper is computing. The main thread writes the operands, then
 * `claim` (tag = task number, piece 0) with an atomic store, so whoever claims a piece sees the
 * operands; then it bumps `seq` to wake the helper. A piece is claimed by a compare-exchange
 * of `claim` from (tag, i) to (tag, i + 1): a helper that wakes after the task is over fails
 * it, since the tag has moved on, and touches nothing. Each finished piece adds 1 to `finished`;
 * the task is over when `finished` reaches `chunks`, and only then are new operands written.
 *
 * A task may also be Adam's update of one variable (op ADAM_OP), cut into blocks of weights:
 * its pointers and step sizes have slots of their own (ADAM_SLOT).
 */

import type { AdamExport } from './vector-wasm.js';

/** The products, in the order of the `op` slot. */
export const PRODUCT_OPS = ['matmul', 'matmulTransA', 'matmulTransB'] as const;
export type ProductOp = (typeof PRODUCT_OPS)[number];

export const SLOT = {
  /** Task number, incremented by the main thread for each task; wakes the helper. */
  seq: 0,
  /** 1 once the helper has instantiated its kernels. */
  ready: 1,
  /** 1 when a piece threw in the helper. */
  failed: 2,
  /** 1 asks the helper to return. */
  exit: 3,
  /** (task tag << CHUNK_BITS) | next unclaimed piece. */
  claim: 4,
  /** Pieces of the current task finished, by either thread. */
  finished: 5,
  /** Pieces of the current task the helper computed (for the benchmarks). */
  helped: 6,
  /** The task: index into PRODUCT_OPS, the product's operands, then how it is cut. */
  op: 7,
  a: 8,
  b: 9,
  c: 10,
  m: 11,
  k: 12,
  n: 13,
  accumulate: 14,
  /** 0: pieces are blocks of `size` rows of C; 1: of `size` columns. */
  axis: 15,
  size: 16,
  chunks: 17,
  /** 1: the product runs on the native kernels (native.ts); 0: on the wasm ones. */
  native: 29,
} as const;

/**
 * The slots of an Adam task (op ADAM_OP): the byte addresses of the weights, gradients and
 * moments, their length, then the step sizes, read as float32 (a Float32Array over the same memory). `size` is
 * the weights per piece.
 */
export const ADAM_SLOT = {
  w: 18,
  g: 19,
  m: 20,
  v: 21,
  n: 22,
  /** 0: unmeasured; else how Σ Δ² is taken (kernels/adam.ts), each piece's into `results`. */
  mode: 23,
  lrT: 24,
  a1: 25,
  a2: 26,
  epsilon: 27,
  scale: 28,
  /** 0, or the byte address of a float64 per piece for Σ w² of its new weights. */
  squares: 30,
} as const;

/** The `op` of an Adam task: after the products. */
export const ADAM_OP = PRODUCT_OPS.length;

/**
 * The slots of a product task's finish (a Dense forward, Kernels.matmulActivated): `finish` 1
 * when each block of C gets the bias at `bias` (0: none) and, for `code` relu, its output at
 * `out`, as native/products.c takes them; 0 for a plain product. Native tasks only.
 */
export const FINISH_SLOT = { finish: 31, bias: 32, out: 33, code: 34 } as const;

export const CONTROL_SLOTS = 35;

/**
 * Bits of `claim` that count pieces; the others tag the task. With 20 tag bits a stale claim
 * could only succeed if the helper stalled between reading `claim` and its compare-exchange
 * while the main thread ran 2²⁰ products.
 */
export const CHUNK_BITS = 11;
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
const TAG_MASK = (1 << (31 - CHUNK_BITS)) - 1;

/** The `claim` value that opens task `seq`: its tag, piece 0. */
export function openClaim(seq: number): number {
  return (seq & TAG_MASK) << CHUNK_BITS;
}

/**
 * One export of assembly/kernels.ts: the block r0 ≤ i < r1, j0 ≤ j < j1 of C (m×n); with
 * `measure` (whole products only) it returns Σ x² over C, else 0.
 */
export type ProductExport = (
  ...args: [...ProductAddresses, accumulate: number, ...ProductBlock, measure: number]
) => number;

/** The byte addresses of A, B and C and the product's dimensions, which the exports take first. */
export type ProductAddresses = [a: number, b: number, c: number, m: number, k: number, n: number];
/** The block of C (m×n) a call computes: rows r0 ≤ i < r1, columns j0 ≤ j < j1. */
export type ProductBlock = [r0: number, r1: number, j0: number, j1: number];

/**
 * A Dense layer's forward on heap addresses: C[r0..r1, j0..j1] = A·B (m×k · k×n), then
 * C += bias per row (bias 0: none) and, for code 1 (relu), out = relu(C); code 0 (linear) leaves
 * out alone. The bits of the product followed by the wasm biasActivation pass (native/products.c).
 */
export type NativeActivatedProduct = (
  ...args: [...ProductAddresses, ...ProductBlock, bias: number, out: number, code: number]
) => void;

export interface ProductExports {
  matmul: ProductExport;
  matmulTransA: ProductExport;
  matmulTransB: ProductExport;
  /** Σ x² over C (m×n) at c, with the bits of a measured product. */
  productSquares(c: number, m: number, n: number): number;
  setScratch(ptr: number): void;
  SCRATCH_BYTES: WebAssembly.Global;
}

/** What the helper thread is started with. */
export interface ProductWorkerData {
  module: WebAssembly.Module;
  /** build/vector.wasm, for Adam's updates. */
  vectorModule: WebAssembly.Module;
  /** Σ Δ² of each piece of a measured Adam task, by piece (shared). */
  results: Float64Array;
  /** The main thread's heap memory (shared). */
  memory: WebAssembly.Memory;
  /** The helper's own packing buffer, a block of the main thread's heap. */
  scratch: number;
  control: Int32Array;
  /** The module's file name, for error messages. */
  file: string;
  /** Whether to load the native products (native.ts) for tasks that ask for them. */
  native: boolean;
}

/**
 * Claims the next piece of the task whose `claim` tag is `tag`: its index, or -1 when every
 * piece is taken or the task is no longer the current one.
 */
export function claimPiece(control: Int32Array, tag: number): number {
  for (;;) {
    const claim = Atomics.load(control, SLOT.claim);
    const piece = claim & MAX_CHUNKS;
    if (claim >>> CHUNK_BITS !== tag >>> CHUNK_BITS) return -1;
    if (piece >= control[SLOT.chunks]) return -1;
    if (Atomics.compareExchange(control, SLOT.claim, claim, claim + 1) === claim) return piece;
  }
}

/**
 * Computes piece `piece` of the current task through `run` (one thread's instance of the
 * export in the `op` slot), or through `finish` when the task has a finish (FINISH_SLOT), then
 * counts it finished.
 */
export function runPiece(
  control: Int32Array,
  piece: number,
  run: ProductExport,
  finish: NativeActivatedProduct | null,
): void {
  const a = control[SLOT.a] >>> 0;
  const b = control[SLOT.b] >>> 0;
  const c = control[SLOT.c] >>> 0;
  const m = control[SLOT.m];
  const k = control[SLOT.k];
  const n = control[SLOT.n];
  const size = control[SLOT.size];
  const from = piece * size;
  const byColumns = control[SLOT.axis] === 1;
  const to = Math.min(from + size, byColumns ? n : m);
  // Plain numbers, not destructured pairs: this runs for every piece, on both threads.
  const r0 = byColumns ? 0 : from;
  const r1 = byColumns ? m : to;
  const j0 = byColumns ? from : 0;
  const j1 = byColumns ? to : n;
  try {
    if (control[FINISH_SLOT.finish] === 0) {
      run(a, b, c, m, k, n, control[SLOT.accumulate], r0, r1, j0, j1, 0);
    } else {
      if (finish === null) throw new Error('gradscope: no native forward to finish a product');
      const bias = control[FINISH_SLOT.bias] >>> 0;
      const out = control[FINISH_SLOT.out] >>> 0;
      finish(a, b, c, m, k, n, r0, r1, j0, j1, bias, out, control[FINISH_SLOT.code]);
    }
  } finally {
    Atomics.add(control, SLOT.finished, 1);
    Atomics.notify(control, SLOT.finished);
  }
}

/**
 * Computes piece `piece` of the current Adam task through `run` (one thread's instance), its
 * Σ Δ² (when measured) into `results[piece]`, then counts it finished. `floats` views the
 * control block's memory as float32.
 */
export function runAdamPiece(
  control: Int32Array,
  floats: Float32Array,
  results: Float64Array,
  piece: number,
  run: AdamExport,
): void {
  const size = control[SLOT.size];
  const from = piece * size;
  const count = Math.min(size, control[ADAM_SLOT.n] - from);
  const bytes = from * 4;
  try {
    results[piece] = run(
      (control[ADAM_SLOT.w] >>> 0) + bytes,
      (control[ADAM_SLOT.g] >>> 0) + bytes,
      (control[ADAM_SLOT.m] >>> 0) + bytes,
      (control[ADAM_SLOT.v] >>> 0) + bytes,
      count,
      floats[ADAM_SLOT.lrT],
      floats[ADAM_SLOT.a1],
      floats[ADAM_SLOT.a2],
      floats[ADAM_SLOT.epsilon],
      control[ADAM_SLOT.mode],
      floats[ADAM_SLOT.scale],
      control[ADAM_SLOT.squares] === 0 ? 0 : (control[ADAM_SLOT.squares] >>> 0) + piece * 8,
    );
  } finally {
    Atomics.add(control, SLOT.finished, 1);
    Atomics.notify(control, SLOT.finished);
  }
}

/**
 * Spins on `slot` for up to `spins` reads until it differs from `value`, then sleeps on it.
 * Returns the new value. The spin avoids the futex wake-up (tens of µs) when the other thread
 * is about to answer.
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
