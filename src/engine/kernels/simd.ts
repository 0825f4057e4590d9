/**
 * The AssemblyScript SIMD kernels (assembly/kernels.ts, compiled by `npm run build:wasm` to
 * build/kernels.wasm), instantiated on this thread's heap so they work on tensors in place.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { heap } from '../heap.js';
import { checkOperands, type Kernels, type Product } from './kernels.js';

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

/** build/kernels.wasm, relative to this file's place in dist/src/engine/kernels/. */
const WASM_URL = new URL('../../../../build/kernels.wasm', import.meta.url);

function instantiate(): WasmKernels {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(fileURLToPath(WASM_URL)));
  } catch (cause) {
    throw new Error(
      `gradscope: the SIMD kernels are not built (expected ${fileURLToPath(WASM_URL)}). ` +
        'Run `npm run build` first.',
      { cause },
    );
  }
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory: heap.memory, abort } });
  return instance.exports as unknown as WasmKernels;
}

function abort(): never {
  throw new Error('gradscope: a SIMD kernel aborted');
}

const wasm = instantiate();

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
