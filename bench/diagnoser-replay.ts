/**
 * The live Diagnoser's own CPU cost on one recorded epoch of the reference model, replayed: the
 * probes' records of one epoch (bench/probe-overhead.ts's, default intervals) and the
 * Diagnoser's callbacks are recorded once, then replayed into fresh Diagnosers, each replay
 * after one into a sink that does nothing (its time is taken off). No training runs between
 * records, so caches stay warm: this is not the overhead on a training run (that is
 * bench/diagnoser-overhead.ts), but it moves by less than a millisecond between runs of one
 * code where that bench's figure moves by ten, so it can tell two versions of the Diagnoser
 * apart. Given another checkout's root (built), it replays into that one's Diagnoser too,
 * taking turns, and gives the median of the paired differences.
 *
 * Run alone: node dist/bench/diagnoser-replay.js [repeats] [other checkout root]
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emptyHistory, type BatchEndContext, type Callback } from '../src/engine/callbacks.js';
import { median } from '../src/engine/statistics.js';
import { Diagnoser, type DiagnoserArgs } from '../src/diagnose/diagnoser.js';
import { GradientProbes } from '../src/probe/gradient-probes.js';
import {
  scalarGroup,
  type HistogramOptions,
  type RecordSink,
  type ScalarGroup,
} from '../src/probe/sink.js';
import { NULL_SINK } from './diagnoser-overhead.js';
import {
  callbackClock,
  DEFAULT_OVERHEAD_SAMPLES,
  referenceEpoch,
  secondsInCallbacks,
  timed,
} from './probe-overhead.js';
import { cpuSeconds } from './timing.js';

/** One recorded call: a record for the sink, or a Diagnoser callback. */
type Recorded =
  | {
      kind: 'histogram';
      tag: string;
      values: Float32Array;
      step: number;
      options?: HistogramOptions;
    }
  | { kind: 'group'; tags: readonly string[]; values: Float64Array; step: number }
  | { kind: 'scalar'; tag: string; value: number; step: number }
  | { kind: 'batchEnd'; step: number }
  | { kind: 'trainEnd' };

/** What the replay needs of a Diagnoser (this checkout's or another's). */
interface Replayed {
  readonly sink: RecordSink;
  onBatchEnd(context: { step: number; model: { stopTraining: boolean } }): void;
  onTrainEnd(): void;
}

export interface ReplayCost {
  /** CPU milliseconds per epoch keeping the records, median over the repeats. */
  sinkMs: number;
  /** CPU milliseconds per epoch in the Diagnoser's callbacks, median. */
  callbacksMs: number;
  /** Their sum, median of the sums. */
  totalMs: number;
}

/** The probes' records and the Diagnoser's callbacks of one reference epoch. */
async function recordEpoch(samples: number): Promise<Recorded[]> {
  const calls: Recorded[] = [];
  const sink: RecordSink = {
    scalar: (tag, value, step) => void calls.push({ kind: 'scalar', tag, value, step }),
    histogram: (tag, values, step, options) =>
      void calls.push({ kind: 'histogram', tag, values: Float32Array.from(values), step, options }),
    scalarGroup: (tags): ScalarGroup => ({
      write: (values, step) =>
        void calls.push({ kind: 'group', tags, values: Float64Array.from(values), step }),
    }),
  };
  const marks: Callback = {
    onBatchEnd: (context) => void calls.push({ kind: 'batchEnd', step: context.step }),
    onTrainEnd: () => void calls.push({ kind: 'trainEnd' }),
  };
  const train = await referenceEpoch(samples);
  train([new GradientProbes({ sink }), marks]);
  return calls;
}

/**
 * Replays `calls` into `diagnoser`: CPU seconds in the sink, and in the callbacks (timed as the
 * other benches time them, their clock readings' own cost taken off).
 */
function replay(calls: readonly Recorded[], diagnoser: Replayed): [number, number] {
  const groups = new Map<readonly string[], ScalarGroup>();
  const clock = callbackClock();
  const callbacks = timed(
    {
      onBatchEnd: (context) => diagnoser.onBatchEnd(context),
      onTrainEnd: () => diagnoser.onTrainEnd(),
    },
    clock,
  );
  // What the Diagnoser reads of a batch's end: the step, and the model to stop.
  const model = { stopTraining: false };
  const atStep = (step: number) => ({ step, model }) as unknown as BatchEndContext;
  const started = cpuSeconds();
  for (const call of calls) {
    if (call.kind === 'scalar') diagnoser.sink.scalar(call.tag, call.value, call.step);
    else if (call.kind === 'histogram')
      diagnoser.sink.histogram(call.tag, call.values, call.step, call.options);
    else if (call.kind === 'group') {
      let group = groups.get(call.tags);
      if (group === undefined)
        groups.set(call.tags, (group = scalarGroup(diagnoser.sink, call.tags)));
      group.write(call.values, call.step, 0);
    } else if (call.kind === 'batchEnd') callbacks.onBatchEnd!(atStep(call.step));
    else callbacks.onTrainEnd!(emptyHistory());
  }
  return [cpuSeconds() - started - clock.seconds, secondsInCallbacks(clock)];
}

const NOTHING: Replayed = {
  sink: NULL_SINK,
  onBatchEnd: () => undefined,
  onTrainEnd: () => undefined,
};

/** Repeats left out of the medians: the first ones run as cold code. */
const WARMUP = 4;

/**
 * The replayed cost for each Diagnoser made by `makers`, which take turns (their order
 * alternating), and the median of the paired differences of their totals against the first.
 */
export async function measureReplay(
  makers: ((args: DiagnoserArgs) => Replayed)[],
  repeats = 40,
  samples = DEFAULT_OVERHEAD_SAMPLES,
): Promise<{ costs: ReplayCost[]; differencesMs: number[] }> {
  const calls = await recordEpoch(samples);
  const sinks = makers.map((): number[] => []);
  const callbacks = makers.map((): number[] => []);
  for (let r = 0; r < repeats + WARMUP; r++) {
    const order = makers.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const [bare] = replay(calls, NOTHING);
      const [sink, inCallbacks] = replay(calls, makers[i]({ print: null, stopOnNonfinite: false }));
      if (r < WARMUP) continue;
      sinks[i].push((sink - bare) * 1e3);
      callbacks[i].push(inCallbacks * 1e3);
    }
  }
  const totals = sinks.map((s, i) => s.map((ms, r) => ms + callbacks[i][r]));
  return {
    costs: makers.map((_, i) => ({
      sinkMs: median(sinks[i]),
      callbacksMs: median(callbacks[i]),
      totalMs: median(totals[i]),
    })),
    differencesMs: totals.slice(1).map((t) => median(t.map((ms, r) => ms - totals[0][r]))),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repeats = Number(process.argv[2] ?? 40);
  const other = process.argv[3];
  const makers: ((args: DiagnoserArgs) => Replayed)[] = [(args) => new Diagnoser(args)];
  if (other !== undefined) {
    const url = pathToFileURL(path.resolve(other, 'dist/src/diagnose/diagnoser.js')).href;
    const module = (await import(url)) as { Diagnoser: new (args: DiagnoserArgs) => Replayed };
    makers.push((args) => new module.Diagnoser(args));
  }
  console.log(JSON.stringify(await measureReplay(makers, repeats)));
}
