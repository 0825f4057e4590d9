/**
 * The garbage a training step of the reference model leaves (bytes a step on the JavaScript
 * heap), bare, with the probes at all norms every step, and with the default probes feeding a
 * Diagnoser, and the young-generation collections an epoch then takes.
 *
 * Garbage is what makes the collector run: each scavenge stops training for 0.4–4 ms, and
 * landing inside a callback it makes that callback look dear. The bytes are the heap's growth
 * over whole epochs of 500 steps with a young generation large enough (64 MB) that nothing is
 * collected meanwhile, which is checked (a collection in the window would hide bytes), in a child
 * run with `--expose-gc --min-semi-space-size=64 --max-semi-space-size=64`. The collections are
 * counted in another child, with Node's default heap.
 *
 * Run alone: node dist/bench/step-garbage.js
 */
import { execFileSync } from 'node:child_process';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Callback } from '../src/engine/callbacks.js';
import { Diagnoser } from '../src/diagnose/diagnoser.js';
import { GradientProbes } from '../src/probe/gradient-probes.js';
import { median } from '../src/engine/statistics.js';
import { NULL_SINK } from './diagnoser-overhead.js';
import { NORMS_EVERY_STEP, referenceEpoch } from './probe-overhead.js';

/** The callbacks of each configuration, made fresh for each epoch. */
const CONFIGS: Readonly<Record<string, () => Callback[]>> = {
  bare: () => [],
  normsEveryStep: () => [new GradientProbes({ sink: NULL_SINK, every: NORMS_EVERY_STEP })],
  defaultsIntoDiagnoser: () => {
    const diagnoser = new Diagnoser({ print: null, stopOnNonfinite: false });
    return [new GradientProbes({ sink: diagnoser.sink }), diagnoser];
  },
};

export type StepGarbage = Record<
  string,
  {
    /** Heap bytes a step leaves, median of 3 epochs of 500 steps. */
    bytesPerStep: number;
    /** Young-generation collections in a 60,000-image epoch (1,875 steps), default heap. */
    scavengesPerEpoch: number;
  }
>;

const STEPS = 500;
const BATCH = 32;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bytes a step of each configuration leaves, on a young generation that does not fill. */
async function bytesPerStep(): Promise<Record<string, number>> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) {
    throw new Error(
      'step-garbage: run with node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64',
    );
  }
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  const train = await referenceEpoch(STEPS * BATCH);
  const result: Record<string, number> = {};
  for (const [name, make] of Object.entries(CONFIGS)) {
    for (let warm = 0; warm < 3; warm++) train(make());
    const bytes: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      collect();
      // The forced collection's entry comes asynchronously: wait for it before counting.
      await pause(50);
      const before = collections;
      const callbacks = make();
      const heapBefore = process.memoryUsage().heapUsed;
      train(callbacks);
      const grown = process.memoryUsage().heapUsed - heapBefore;
      await pause(50);
      if (collections !== before) {
        throw new Error(`step-garbage: ${name} was collected during its epoch; enlarge the heap`);
      }
      bytes.push(grown / STEPS);
    }
    result[name] = median(bytes);
  }
  observer.disconnect();
  return result;
}

/** Young-generation collections in one full epoch of each configuration, after a warm-up. */
async function scavengesPerEpoch(): Promise<Record<string, number>> {
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const train = await referenceEpoch(60000);
  const result: Record<string, number> = {};
  for (const [name, make] of Object.entries(CONFIGS)) {
    train(make());
    await pause(50);
    const counts: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      const before = scavenges;
      train(make());
      await pause(50);
      counts.push(scavenges - before);
    }
    result[name] = median(counts);
  }
  observer.disconnect();
  return result;
}

/** Both figures: the bytes here (with the flags above), the collections in a child. */
export function measureStepGarbage(): StepGarbage {
  const script = fileURLToPath(import.meta.url);
  const run = (nodeFlags: string[], mode: 'bytes' | 'scavenges') =>
    JSON.parse(
      execFileSync(process.execPath, [...nodeFlags, script, mode], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop()!,
    ) as Record<string, number>;
  const bytes = run(
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'],
    'bytes',
  );
  const scavenges = run([], 'scavenges');
  return Object.fromEntries(
    Object.keys(CONFIGS).map((name) => [
      name,
      { bytesPerStep: bytes[name], scavengesPerEpoch: scavenges[name] },
    ]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode === 'bytes') console.log(JSON.stringify(await bytesPerStep()));
  else if (mode === 'scavenges') console.log(JSON.stringify(await scavengesPerEpoch()));
  else {
    console.log(JSON.stringify(measureStepGarbage()));
  }
  process.exit(0);
}
