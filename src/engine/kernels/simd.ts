/**
 * The AssemblyScript SIMD kernels (assembly/kernels.ts, compiled by `npm run build:wasm` to
 * build/kernels.wasm), instantiated on this thread's heap so they work on tensors in place.
 *
 * The same source is also built with relaxed SIMD (build/kernels-relaxed.wasm: fused
 * multiply-add, ~30% faster products here). It is used where the runtime validates it: Node 22
 * and later by default; Node 20 only with V8's --experimental-wasm-relaxed-simd, which
 * GRADSCOPE_RELAXED_SIMD=1 turns on at load. GRADSCOPE_RELAXED_SIMD=0 keeps the 128-bit build.
 */
import { setFlagsFromString } from 'node:v8';
import { checkOperands, type Kernels, type Product } from './kernels.js';
import { heap } from '../heap.js';
import { instantiateWasm, wasmValidates } from './wasm.js';

type MatmulExport = (
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
  accumulate: number,
) => void;

interface WasmKernels {
  matmul: MatmulExport;
  matmulTransA: MatmulExport;
  matmulTransB: MatmulExport;
}

interface WasmExports extends WasmKernels {
  setScratch(ptr: number): void;
  SCRATCH_BYTES: WebAssembly.Global;
}

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

const wasm = instantiateWasm<WasmExports>(relaxedSimd ? RELAXED_FILE : 'kernels.wasm');
// The packing buffer of the cache-blocked path: one per instance, for the life of the thread.
wasm.setScratch(heap.alloc(wasm.SCRATCH_BYTES.value as number));

/** Wraps one export: checks the operands (the wasm trusts its pointers), then calls it. */
function product(op: keyof WasmKernels): Product {
  const run = wasm[op];
  return (a, b, c, m, k, n, accumulate) => {
    checkOperands(op, a, b, c, m, k, n);
    run(a.ptr, b.ptr, c.ptr, m, k, n, accumulate ? 1 : 0);
  };
}

export const simdKernels: Kernels = {
  name: 'simd',
  matmul: product('matmul'),
  matmulTransA: product('matmulTransA'),
  matmulTransB: product('matmulTransB'),
};
