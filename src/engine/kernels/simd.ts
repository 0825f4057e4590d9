/**
 * The AssemblyScript SIMD kernels (assembly/kernels.ts, compiled by `npm run build:wasm` to
 * build/kernels.wasm), instantiated on this thread's heap so they work on tensors in place, and
 * beside them the native products (native.ts) for products of NATIVE_MIN_FLOPS or more where
 * those are built.
 *
 * The same source is also built with relaxed SIMD (build/kernels-relaxed.wasm: fused
 * multiply-add: ~30% faster products on the machine of 2026-12-01, within 3% on the Zen 5 one of
 * 2026-12-02: README, "Benchmark"). It is used where the runtime validates it: Node 22
 * and later by default; Node 20 only with V8's --experimental-wasm-relaxed-simd, which
 * GRADSCOPE_RELAXED_SIMD=1 turns on at load. GRADSCOPE_RELAXED_SIMD=0 keeps the 128-bit build.
 */
import { setFlagsFromString } from 'node:v8';
import {
  checkBiasAndOutput,
  checkOperands,
  type ActivatedProduct,
  type Kernels,
  type Product,
} from './kernels.js';
import { ACTIVATION_CODES } from './elementwise.js';
import { heap } from '../heap.js';
import { PRODUCT_OPS, type ProductExports, type ProductOp } from './product-control.js';
import { nativeActivatedProduct, nativeProducts, nativeWidth, runsNatively } from './native.js';
import { splitPlan, splitProduct, type SplitPlan } from './threads.js';
import { instantiateWasm, wasmValidates } from './wasm.js';
import { compileWasm } from './wasm-instance.js';

const RELAXED_FILE = 'kernels-relaxed.wasm';

function useRelaxedSimd(setting: string | undefined): boolean {
  if (setting === '0') return false;
  if (wasmValidates(RELAXED_FILE)) return true;
  if (setting !== '1') return false;
  // Wasm features are read when a module is compiled, so setting V8's flag now takes effect.
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return wasmValidates(RELAXED_FILE);
}

/** Whether the matrix products run on the relaxed-SIMD build (fused multiply-add). */
export const relaxedSimd = useRelaxedSimd(process.env.GRADSCOPE_RELAXED_SIMD);

const file = relaxedSimd ? RELAXED_FILE : 'kernels.wasm';
const wasm = instantiateWasm<ProductExports>(file);
const scratchBytes = wasm.SCRATCH_BYTES.value as number;
// The packing buffer of the cache-blocked path: one per instance, for the life of the thread.
wasm.setScratch(heap.alloc(scratchBytes));
/** The native products on this thread's heap (native.ts), where they run. */
const nativeExports = nativeProducts(heap.memory);
/**
 * How a native product is split: in blocks of its register block's columns, and in 2 pieces,
 * not PIECES: each piece packs its own copy of the operand it shares with the others
 * (native/products.c), which at 4× the wasm speed costs more than a late helper's wait. Measured
 * in one process, alternating per epoch (GRADSCOPE_THREADS=auto), 2 pieces against 8 took
 * 19–23% less time a step at width 256 (256/512: 7.8 against 10.1 ms), 2–11% less at width
 * 1024, and the same within noise at width 32. 'auto' splits a native product from the same
 * AUTO_MIN_FLOPS as a wasm one: a 4× higher bar for the 4× faster products was slower at
 * 256/32 (784 against 735 µs a step), 2% faster at 32/128, and no different elsewhere.
 */
const nativeSplit = { strip: nativeWidth === 'avx2' ? 16 : 32, most: 2 };
/** What the product helper thread needs to start (threads.ts). */
const helperStart = {
  module: compileWasm(file),
  vectorModule: compileWasm('vector.wasm'),
  file,
  scratchBytes,
  native: nativeExports !== null,
};

/** How a product runs natively or not: cut into pieces for two threads, or null for one. */
function productPlan(m: number, k: number, n: number, native: boolean): SplitPlan | null {
  return native ? splitPlan(m, k, n, nativeSplit) : splitPlan(m, k, n);
}

/** How a product of these dimensions is cut now, natively or not, or null for one thread. */
export function productSplit(m: number, k: number, n: number): SplitPlan | null {
  return productPlan(m, k, n, runsNatively(m, k, n));
}

/** How many threads a product of these dimensions runs on now. */
export function productThreads(m: number, k: number, n: number): 1 | 2 {
  return productSplit(m, k, n) === null ? 1 : 2;
}

/**
 * Wraps one export: checks the operands (the wasm trusts its pointers), then runs the whole
 * product here or shares it with the helper thread (threads.ts), natively where it pays
 * (native.ts) or in WebAssembly.
 */
function product(op: ProductOp): Product {
  const simd = wasm[op];
  const fast = nativeExports?.[op];
  return (a, b, c, m, k, n, accumulate, measure = false) => {
    checkOperands(op, a, b, c, m, k, n);
    const acc = accumulate ? 1 : 0;
    const native = fast !== undefined && runsNatively(m, k, n);
    const run = native ? fast : simd;
    const plan = productPlan(m, k, n, native);
    if (plan === null) return run(a.ptr, b.ptr, c.ptr, m, k, n, acc, 0, m, 0, n, measure ? 1 : 0);
    const args = { a: a.ptr, b: b.ptr, c: c.ptr, m, k, n, accumulate: acc };
    splitProduct(op, args, plan, native, run, helperStart);
    if (!measure) return 0;
    // Measured after the pieces, with the bits of the unsplit product's Σ x².
    return native ? nativeExports!.squares(c.ptr, m * n) : wasm.productSquares(c.ptr, m, n);
  };
}

const [matmul, matmulTransA, matmulTransB] = PRODUCT_OPS.map(product);

/** The native Dense forward on this thread's heap, where it runs. */
const nativeActivated = nativeActivatedProduct(heap.memory);
/** The activations the native forward finishes its blocks with (native/products.c). */
const FINISHED: ReadonlySet<string> = new Set(['linear', 'relu']);

/**
 * The Dense forward in native calls wherever the product runs natively: one, or the pieces of a
 * split product on both threads, each finishing its own blocks.
 */
const matmulActivated: ActivatedProduct = (a, b, c, m, k, n, bias, out, activation) => {
  checkOperands('matmulActivated', a, b, c, m, k, n);
  checkBiasAndOutput('matmulActivated', [m, k, n], bias, out);
  if (nativeActivated === null || !FINISHED.has(activation) || !runsNatively(m, k, n)) {
    return false;
  }
  const code = ACTIVATION_CODES[activation];
  const biasAt = bias?.ptr ?? 0;
  const plan = productPlan(m, k, n, true);
  if (plan === null) {
    nativeActivated(a.ptr, b.ptr, c.ptr, m, k, n, 0, m, 0, n, biasAt, out.ptr, code);
    return true;
  }
  const args = { a: a.ptr, b: b.ptr, c: c.ptr, m, k, n, accumulate: 0 };
  const finish = { bias: biasAt, out: out.ptr, code, run: nativeActivated };
  splitProduct('matmul', args, plan, true, nativeExports!.matmul, helperStart, finish);
  return true;
};

export const simdKernels: Kernels = {
  name: 'simd',
  matmul,
  matmulTransA,
  matmulTransB,
  matmulActivated,
};
