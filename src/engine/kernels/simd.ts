/**
 * The AssemblyScript SIMD kernels (assembly/kernels.ts, compiled by `npm run build:wasm` to
 * build/kernels.wasm), instantiated on this thread's heap so they work on tensors in place.
 */
import { checkOperands, type Kernels, type Product } from './kernels.js';
import { heap } from '../heap.js';
import { instantiateWasm } from './wasm.js';

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

const wasm = instantiateWasm<WasmExports>('kernels.wasm');
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
