/**
 * Loads one of the compiled AssemblyScript modules from build/ and instantiates it on this
 * thread's heap, so its functions work on tensors in place.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { heap } from '../heap.js';
import { BUILD_DIR, compileWasm, instantiateOn } from './wasm-instance.js';

/** Instances by file, so the modules that share one wasm file share its instance. */
const instances = new Map<string, unknown>();

/** Whether this runtime accepts the module in build/`file` (false when it is not built). */
export function wasmValidates(file: string): boolean {
  try {
    return WebAssembly.validate(readFileSync(fileURLToPath(new URL(file, BUILD_DIR))));
  } catch {
    return false;
  }
}

export function instantiateWasm<T>(file: string): T {
  const known = instances.get(file);
  if (known) return known as T;
  const exports = instantiateOn<T>(compileWasm(file), heap.memory, file);
  instances.set(file, exports);
  return exports;
}
