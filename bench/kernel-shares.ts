/**
 * Where a training step's time goes, measured in place: every call into the engine's kernels
 * (kernels/index.ts `backend`: the matrix products, Adam's update, the elementwise, batch-norm,
 * dropout, gate, gather and sum-of-squares kernels, natively or in WebAssembly) timed on the
 * wall clock while `run` trains, the outermost call only (a kernel that calls another counts
 * once). What is left of the run's time is JavaScript glue: the layers', the model's and the
 * optimizer's own code, the garbage collector, the callbacks. The clock's own cost (two
 * readings a call, about ten calls a layer and step) lands in the glue, so its share comes out
 * a little high, never low. Wall time, so run it on a quiet machine: another process holding
 * the core lands wherever it falls.
 */
import { backend } from '../src/engine/kernels/index.js';

/** Shares of `run`'s wall time, each in [0, 1]; they add up to 1. */
export interface KernelShares {
  /** In the matrix products (split ones included, with their wait for the helper thread). */
  products: number;
  /** In Adam's update. */
  adam: number;
  /** In every other kernel. */
  otherKernels: number;
  /** Outside any kernel. */
  glue: number;
  /** Kernel calls timed. */
  calls: number;
}

type Group = 'products' | 'adam' | 'otherKernels';

/** The backend's groups as this module times them: objects of kernels, or a kernel itself. */
const GROUPS: readonly { key: keyof typeof backend; group: Group }[] = [
  { key: 'matrix', group: 'products' },
  { key: 'adam', group: 'adam' },
  { key: 'sumOfSquares', group: 'otherKernels' },
  { key: 'gatherBytesScaled', group: 'otherKernels' },
  { key: 'elementwise', group: 'otherKernels' },
  { key: 'batchNorm', group: 'otherKernels' },
  { key: 'dropout', group: 'otherKernels' },
  { key: 'gates', group: 'otherKernels' },
];

type AnyFunction = (...args: unknown[]) => unknown;

/** Runs `run` with every kernel of `backend` timed (then put back as it was). */
export function kernelShares(run: () => void): KernelShares {
  const seconds: Record<Group, number> = { products: 0, adam: 0, otherKernels: 0 };
  let calls = 0;
  let depth = 0;
  const timed =
    (kernel: AnyFunction, group: Group): AnyFunction =>
    (...args) => {
      if (depth > 0) return kernel(...args);
      depth++;
      const start = performance.now();
      try {
        return kernel(...args);
      } finally {
        seconds[group] += (performance.now() - start) / 1000;
        calls++;
        depth--;
      }
    };
  const restore: (() => void)[] = [];
  // The backend's fields are read-only to the engine; a benchmark swaps them for its timing.
  const fields = backend as unknown as Record<string, unknown>;
  for (const { key, group } of GROUPS) {
    const value = fields[key];
    if (typeof value === 'function') {
      fields[key] = timed(value as AnyFunction, group);
      restore.push(() => (fields[key] = value));
      continue;
    }
    const kernels = value as Record<string, unknown>;
    for (const [name, kernel] of Object.entries(kernels)) {
      if (typeof kernel !== 'function') continue;
      kernels[name] = timed(kernel as AnyFunction, group);
      restore.push(() => (kernels[name] = kernel));
    }
  }
  const start = performance.now();
  try {
    run();
  } finally {
    for (const put of restore) put();
  }
  const total = (performance.now() - start) / 1000;
  const inKernels = seconds.products + seconds.adam + seconds.otherKernels;
  return {
    products: seconds.products / total,
    adam: seconds.adam / total,
    otherKernels: seconds.otherKernels / total,
    glue: 1 - inKernels / total,
    calls,
  };
}
