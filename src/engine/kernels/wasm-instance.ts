/**
 * Compiles the AssemblyScript modules in build/ and instantiates one on a given memory. Apart
 * from wasm.ts, which instantiates on this thread's heap, so that what needs no heap loads
 * none: the product helper thread (product-worker.ts), which has one of its own, and the event
 * reader's record check (log/record-check.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../package-root.js';

export const BUILD_DIR = new URL('build/', PACKAGE_ROOT);

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

/** The instance of `module` on `memory`; its `abort` import names `file` in the error. */
export function instantiateOn<T>(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  file: string,
): T {
  const abort = () => {
    throw new Error(`gradscope: a kernel in ${file} aborted`);
  };
  return new WebAssembly.Instance(module, { env: { memory, abort } }).exports as T;
}
