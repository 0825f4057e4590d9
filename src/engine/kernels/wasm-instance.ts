/**
 * Instantiates a compiled kernel module on a given memory. Apart from wasm.ts so that the
 * product helper thread (product-worker.ts) can load it without creating a heap of its own.
 */

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
