/** Timing helpers shared by the micro-benchmarks. */

const TRIALS = 10;
const TRIAL_SECONDS = 0.02;
const WARMUP_SECONDS = 0.2;

/**
 * Seconds per call: the best of TRIALS trials, each repeating the call for TRIAL_SECONDS,
 * after a warm-up long enough for V8 to move the wasm from its baseline compiler to the
 * optimizing one. The best trial, because other load on the machine only ever adds time.
 */
export function secondsPerCall(call: () => void, warmupSeconds = WARMUP_SECONDS): number {
  const warmupEnd = performance.now() + warmupSeconds * 1000;
  while (performance.now() < warmupEnd) call();
  let best = Infinity;
  for (let trial = 0; trial < TRIALS; trial++) {
    const start = performance.now();
    let calls = 0;
    let elapsed = 0;
    while (elapsed < TRIAL_SECONDS * 1000) {
      call();
      calls++;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, elapsed / 1000 / calls);
  }
  return best;
}
