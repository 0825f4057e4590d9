/**
 * Loads one of the compiled AssemblyScript modules from build/ and instantiates it on this
 * thread's heap, so its functions work on tensors in place.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../package-root.js';
import { heap } from '../heap.js';

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

export function instantiateWasm<T>(file: string): T {
  const known = instances.get(file);
  if (known) return known as T;
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
  const abort = () => {
    throw new Error(`gradscope: a kernel in ${file} aborted`);
  };
  const exports = new WebAssembly.Instance(module, { env: { memory: heap.memory, abort } }).exports;
  instances.set(file, exports);
  return exports as T;
}
