/** Timing helpers shared by the micro-benchmarks. */
import { threadCpuSeconds } from '../src/engine/kernels/native.js';

const TRIALS = 10;
const TRIAL_SECONDS = 0.02;
const WARMUP_SECONDS = 0.2;

/** CPU seconds this process has used (all threads), microsecond resolution. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds the calling thread has used (native.ts threadCpuSeconds), or the process's
 * (`cpuSeconds`) where the native addon does not load (`threadClock` says which): what training
 * pays, when work such as the Diagnoser's rules runs on another thread.
 */
export const threadSeconds: Clock =
  threadCpuSeconds() === null ? cpuSeconds : () => threadCpuSeconds()!;
export const threadClock: 'thread' | 'process' = threadCpuSeconds() === null ? 'process' : 'thread';

/** Wall-clock seconds since an arbitrary origin. */
export function wallSeconds(): number {
  return performance.now() / 1000;
}

/** A clock in seconds: `cpuSeconds` or `wallSeconds`. */
export type Clock = () => number;

/**
 * CPU seconds per call (or seconds of `clock`): the best of TRIALS trials, each repeating the call for TRIAL_SECONDS
 * of CPU time, after a warm-up long enough for V8 to move the wasm from its baseline compiler
 * to the optimizing one. CPU time, because on a shared machine wall time includes the time
 * other processes held the core; the best trial, because other load only ever adds time. Work
 * split across threads is timed on the wall clock instead: its CPU time counts both threads.
 */
export function secondsPerCall(
  call: () => void,
  warmupSeconds = WARMUP_SECONDS,
  clock: Clock = cpuSeconds,
): number {
  // Reading the CPU clock is a system call, slower than a small product: calls run in batches
  // between readings, batches growing until one takes a thousandth of a trial.
  let batch = 1;
  const warmupEnd = clock() + warmupSeconds;
  for (let start = clock(); start < warmupEnd;) {
    for (let i = 0; i < batch; i++) call();
    const now = clock();
    if (now - start < TRIAL_SECONDS / 1000) batch *= 2;
    start = now;
  }
  let best = Infinity;
  for (let trial = 0; trial < TRIALS; trial++) {
    const start = clock();
    let calls = 0;
    let elapsed = 0;
    while (elapsed < TRIAL_SECONDS) {
      for (let i = 0; i < batch; i++) call();
      calls += batch;
      elapsed = clock() - start;
    }
    best = Math.min(best, elapsed / calls);
  }
  return best;
}
