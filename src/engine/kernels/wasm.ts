/**
 * Loads one of the compiled AssemblyScript modules from build/ and instantiates it on this
 * thread's heap, so its functions work on tensors in place.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../package-root.js';
import { heap } from '../heap.js';
import { instantiateOn } from './wasm-instance.js';

const BUILD_DIR = new URL('build/', PACKAGE_ROOT);

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

/** Compiled modules by file: a helper thread instantiates the same module (threads.ts). */
const modules = new Map<string, WebAssembly.Module>();

/** The module in build/`file`, compiled once per thread. */
export function compileWasm(file: string): WebAssembly.Module {
  const known = modules.get(file);
  if (known) return known;
  const path = fileURLToPath(new URL(file, BUILD_DIR));
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(readFileSync(path));
  } catch (cause) {
    throw new Error(
      `gradscope: ${file} is not built (expected ${path}). Run \`npm run build\` first.`,
      {
        cause,
      },
    );
  }
  const module = new WebAssembly.Module(bytes);
  modules.set(file, module);
  return module;
}

export function instantiateWasm<T>(file: string): T {
  const known = instances.get(file);
  if (known) return known as T;
  const exports = instantiateOn<T>(compileWasm(file), heap.memory, file);
  instances.set(file, exports);
  return exports;
}
