/** Shared helpers for the diagnose tests: small in-memory runs. No tests here. */
import { MemoryProvider, type MemoryRun } from '../../src/log/memory-provider.js';

/** A provider holding one run, filled by `fill`. */
export function oneRun(fill: (run: MemoryRun) => void, name = 'run'): MemoryProvider {
  const provider = new MemoryProvider();
  fill(provider.run(name));
  return provider;
}

/** Records `values[i]` under `tag` at step i (plus `offset`). */
export function series(run: MemoryRun, tag: string, values: readonly number[], offset = 0): void {
  values.forEach((value, i) => run.scalar(tag, value, i + offset, 1000 + i));
}

export const range = (n: number, f: (i: number) => number): number[] =>
  Array.from({ length: n }, (_, i) => f(i));
