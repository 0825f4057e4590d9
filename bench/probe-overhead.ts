/**
 * The probes' cost on the reference model, two ways.
 *
 * - `inCallbacks` (the headline): each instrumented epoch's CPU time over the same epoch's CPU
 *   time minus the CPU time spent inside the probes. It needs no second epoch to compare with,
 *   so it is immune to the ±10% that whole epochs vary by on a shared 2-core machine (GC, heap
 *   layout, the other core's load); it leaves out costs the probes cause outside their own
 *   calls (cache misses). CPU time, not wall time: on a loaded machine a callback of 20 µs is
 *   now and then descheduled for milliseconds, and those few pauses outweighed the probes' own
 *   time (the wall-clock ratio moved by ±0.1 between runs at a load average of 12–16). The
 *   clock is read around each callback; the cost of one reading is measured and taken off.
 *   The clock is the training thread's own (timing.ts threadSeconds, the process's where the
 *   native addon does not load), so that work on other threads (the Diagnoser's rules) is not
 *   counted as the training thread's.
 * - The top-level ratios: fastest instrumented epoch over fastest bare epoch, with a bare epoch
 *   before each instrumented one. Includes every indirect cost but carries the epoch-to-epoch
 *   noise; read them next to `inCallbacks`.
 *
 * One model trains epoch after epoch, after one warm-up epoch. Records go into a MemoryProvider
 * run, which buckets histograms on the spot (their computation is included), and for
 * `normsEveryStepToEventFile` into a RunWriter writing an event file in a temporary directory,
 * as a training run writes them (encoding, checksums and the writes included).
 *
 * Run alone: node dist/bench/probe-overhead.js [samples] [repeats]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import { firstImages, imageDataset } from '../src/data/image-dataset.js';
import type { Callback } from '../src/engine/callbacks.js';
import { NO_MEASURES } from '../src/engine/measures.js';
import { buildFashionModel } from '../src/experiments/fashion/model.js';
import { GradientProbes } from '../src/probe/gradient-probes.js';
import { NO_PROBES, type ProbeIntervals } from '../src/probe/intervals.js';
import { MemoryProvider } from '../src/log/memory-provider.js';
import { RunWriter } from '../src/log/run-writer.js';
import type { RecordSink } from '../src/probe/sink.js';
import { median } from '../src/engine/statistics.js';
import { threadSeconds } from './timing.js';

/** Trains the reference model for `epochs` (default 1) with `callbacks`; returns wall seconds. */
export type TrainEpoch = (callbacks: Callback[], epochs?: number) => number;

/** Instrumented / bare epoch time per configuration. */
export interface OverheadRatios {
  /** Loss, gradient/weight/global/signal norms, update ratios and non-finite counts, every step. */
  normsEveryStep: number;
  /** The same, written to an event file by a RunWriter. */
  normsEveryStepToEventFile: number;
  /** Those plus activation statistics and an element trajectory, every step; no histograms. */
  scalarsEveryStep: number;
  /** Histograms of weights, gradients and activations every 100 steps, nothing else. */
  histogramsEvery100: number;
  /** The default intervals (DEFAULT_INTERVALS in src/probe/intervals.ts). */
  defaults: number;
}

export interface ProbeOverhead extends OverheadRatios {
  /**
   * epoch / (epoch − time inside the probes' callbacks), from the instrumented epochs alone: far
   * less sensitive to other load on the machine, but blind to indirect costs (cache, GC).
   */
  inCallbacks: OverheadRatios;
}

type Config = keyof OverheadRatios;

/** Samples per measured epoch: a whole Fashion-MNIST epoch, 1,875 steps of 32. */
export const DEFAULT_OVERHEAD_SAMPLES = 60000;

/** Every norm every step: the configuration the 1.03 target is for. */
export const NORMS_EVERY_STEP: ProbeIntervals = {
  ...NO_PROBES,
  loss: 1,
  norms: 1,
  updates: 1,
  signals: 1,
};

const CONFIGS: Readonly<Record<Config, { every: ProbeIntervals; toFile?: true }>> = {
  normsEveryStep: { every: NORMS_EVERY_STEP },
  normsEveryStepToEventFile: { every: NORMS_EVERY_STEP, toFile: true },
  scalarsEveryStep: {
    every: {
      loss: 1,
      norms: 1,
      updates: 1,
      signals: 1,
      activations: 1,
      elements: 1,
      histograms: 'never',
    },
  },
  histogramsEvery100: { every: { ...NO_PROBES, histograms: 100 } },
  defaults: { every: {} },
};

/**
 * Ratios instrumented / bare epoch time. `train` defaults to the reference model (relu, Adam,
 * batch 32) on DEFAULT_OVERHEAD_SAMPLES Fashion-MNIST training images.
 */
export async function measureProbeOverhead(
  train?: TrainEpoch,
  repeats = 5,
): Promise<ProbeOverhead> {
  const epoch = train ?? (await referenceEpoch(DEFAULT_OVERHEAD_SAMPLES));
  const configs = Object.keys(CONFIGS) as Config[];
  const bare: number[] = [];
  const probed = new Map<Config, number[]>(configs.map((name) => [name, []]));
  const inCallbacks = new Map<Config, number[]>(configs.map((name) => [name, []]));
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-probe-overhead-'));
  epoch([]);
  for (let r = 0; r < repeats; r++) {
    for (const name of configs) {
      const clock = callbackClock();
      const { every, toFile } = CONFIGS[name];
      const writer = toFile ? new RunWriter(path.join(logdir, `${name}-${r}`)) : null;
      const sink: RecordSink = writer ?? new MemoryProvider().run('bench');
      const probes = new GradientProbes({ sink, every, elements: ['dense_1/kernel[0,0]'] });
      // Bare and instrumented epochs alternate, so both see the same machine over the run.
      bare.push(epoch([]));
      const started = threadSeconds();
      const seconds = epoch([timed(probes, clock)]);
      const cpu = threadSeconds() - started - secondsTiming(clock);
      writer?.close();
      probed.get(name)!.push(seconds);
      inCallbacks.get(name)!.push(cpu / (cpu - secondsInCallbacks(clock)));
      // Lets a caller's pending I/O (progress output) through between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  fs.rmSync(logdir, { recursive: true, force: true });
  // Other work on the machine only ever adds time, so the fastest epoch of each kind is the
  // best estimate of its own cost; the ratio of the minima is the probes' share.
  const fastestBare = Math.min(...bare);
  const ratios = (pick: (name: Config) => number): OverheadRatios =>
    Object.fromEntries(configs.map((name) => [name, pick(name)])) as unknown as OverheadRatios;
  return {
    ...ratios((name) => Math.min(...probed.get(name)!) / fastestBare),
    inCallbacks: ratios((name) => median(inCallbacks.get(name)!)),
  };
}

/**
 * What timing one call costs, in CPU seconds: `counted`, the part inside the clock's interval
 * (each `threadSeconds()` is a call into the addon or the kernel), and `total`, all it adds to
 * the thread's CPU time,
 * which an untimed run does not spend. Each is the median over rounds of timed calls of a
 * callback that does nothing, leaving out the first round, which runs as cold code (measured:
 * about 2.5 µs a reading, 1.0 warm). A figure from such a first round once over-subtracted
 * about 1.5 µs from each of the ~5,600 timed calls of an epoch, hiding some 8 ms of the
 * Diagnoser's callbacks (their medians came out negative). `counted` is what matters: an error
 * in an epoch's length barely moves a ratio near 1.
 */
const TIMER_COST = (() => {
  const calls = 10000;
  const counted: number[] = [];
  const total: number[] = [];
  for (let round = 0; round < 6; round++) {
    const clock = callbackClock();
    // Through the same wrapper the benches time with, around a callback that does nothing.
    const empty = timed({}, clock);
    const started = threadSeconds();
    for (let i = 0; i < calls; i++) empty.onEpochBegin!(0);
    total.push((threadSeconds() - started) / calls);
    counted.push(clock.seconds / calls);
  }
  return { counted: median(counted.slice(1)), total: median(total.slice(1)) };
})();

/** CPU seconds spent in timed callbacks, and how many calls were timed. */
export interface CallbackClock {
  seconds: number;
  calls: number;
}

export function callbackClock(): CallbackClock {
  return { seconds: 0, calls: 0 };
}

/** The clock's CPU seconds less its own readings'. */
export function secondsInCallbacks(clock: CallbackClock): number {
  return clock.seconds - clock.calls * TIMER_COST.counted;
}

/** The CPU seconds the clock's readings added to the process: an untimed run spends none. */
export function secondsTiming(clock: CallbackClock): number {
  return clock.calls * TIMER_COST.total;
}

/** `callback`, adding the CPU seconds spent in each of its hooks to `clock`. */
export function timed(callback: Callback, clock: CallbackClock): Callback {
  const time = (run: () => void): void => {
    const started = threadSeconds();
    run();
    clock.seconds += threadSeconds() - started;
    clock.calls++;
  };
  return {
    // The steps `fit` calls onBatchEnd at are the callback's own (the Diagnoser's are few).
    get nextBatchEnd() {
      return callback.nextBatchEnd;
    },
    measuresWanted: (position) => {
      let wanted = NO_MEASURES;
      time(() => (wanted = callback.measuresWanted?.(position) ?? NO_MEASURES));
      return wanted;
    },
    onTrainBegin: (model) => time(() => callback.onTrainBegin?.(model)),
    onEpochBegin: (epoch) => time(() => callback.onEpochBegin?.(epoch)),
    onGradients: (context) => time(() => callback.onGradients?.(context)),
    onBatchEnd: (context) => time(() => callback.onBatchEnd?.(context)),
    onEpochEnd: (epoch, logs) => time(() => callback.onEpochEnd?.(epoch, logs)),
    onTrainEnd: (history) => time(() => callback.onTrainEnd?.(history)),
  };
}

/** Epochs of the reference model on the first `samples` Fashion-MNIST training images. */
export async function referenceEpoch(samples: number): Promise<TrainEpoch> {
  const data = imageDataset(firstImages((await loadFashionMnist()).train, samples));
  // One model trains on epoch after epoch: a fresh model per epoch lands its buffers elsewhere
  // in the heap each time, which by itself moves epoch times by ±10%.
  const model = buildFashionModel({ activation: 'relu', seed: 0 });
  return (callbacks, epochs = 1) => {
    const started = performance.now();
    model.fit(data, { epochs, batchSize: 32, callbacks });
    return (performance.now() - started) / 1000;
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const samples = Number(process.argv[2] ?? DEFAULT_OVERHEAD_SAMPLES);
  const repeats = Number(process.argv[3] ?? 5);
  console.log(JSON.stringify(await measureProbeOverhead(await referenceEpoch(samples), repeats)));
}
