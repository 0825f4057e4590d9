/** Timing helpers shared by the micro-benchmarks. */

const TRIALS = 10;
const TRIAL_SECONDS = 0.02;
const WARMUP_SECONDS = 0.2;

/** CPU seconds this process has used (all threads), microsecond resolution. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds per call: the best of TRIALS trials, each repeating the call for TRIAL_SECONDS
 * of CPU time, after a warm-up long enough for V8 to move the wasm from its baseline compiler
 * to the optimizing one. CPU time, because on a shared machine wall time includes the time
 * other processes held the core; the best trial, because other load only ever adds time.
 */
export function secondsPerCall(call: () => void, warmupSeconds = WARMUP_SECONDS): number {
  const warmupEnd = cpuSeconds() + warmupSeconds;
  while (cpuSeconds() < warmupEnd) call();
  let best = Infinity;
  for (let trial = 0; trial < TRIALS; trial++) {
    const start = cpuSeconds();
    let calls = 0;
    let elapsed = 0;
    while (elapsed < TRIAL_SECONDS) {
      call();
      calls++;
      elapsed = cpuSeconds() - start;
    }
    best = Math.min(best, elapsed / calls);
  }
  return best;
}
