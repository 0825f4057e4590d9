/**
 * The live Diagnoser's cost on the reference model (bench/probe-overhead.ts's epoch: relu, Adam,
 * batch 32, Fashion-MNIST), with the probes at their default intervals feeding it: each
 * epoch's time over the same epoch minus the time the Diagnoser costs (its callbacks, and its
 * sink keeping the probes' records for the rules). The median over the repeats.
 *
 * What keeping the records costs is measured within one epoch, so that the load of a shared
 * machine falls on both sides alike: two probe sets run side by side on the same steps, one
 * into the Diagnoser's sink and one into a sink that does nothing, and the difference of their
 * times is the sink's cost. The step's gradient norms are measured before either, so neither
 * pays for that; the two sets take turns at going first, since the first reads the weights and
 * gradients from colder caches (measured: that alone was worth 0.05 s an epoch), by the step's
 * Thue–Morse bit (`takingTurns`), and swap places in the callback list each repeat. Times are CPU
 * times of the training thread, as in bench/probe-overhead.ts and for its reason: the rules run
 * on a thread of their own (diagnoser.ts `thread`; GRADSCOPE_DIAGNOSE_THREAD=0 measures them
 * on the training thread), whose time is the other core's. The Diagnoser's callbacks are timed
 * in two parts: those that evaluate every rule (on their own thread: handing the records over,
 * and at the end waiting for the last answer; each one's time is listed) and the others, which
 * look once per step for non-finite records and for answers, less a twin that does nothing
 * (`timedApart`). Making the Diagnoser counts too: the first one in a process starts the rules'
 * thread (the first repeat's `secondsMaking`).
 *
 * Run alone: node dist/bench/diagnoser-overhead.js [samples] [repeats] [epochs]
 */
import { fileURLToPath } from 'node:url';
import { measuresWanted, type Callback } from '../src/engine/callbacks.js';
import { median } from '../src/engine/statistics.js';
import { CHECK_GROWTH, Diagnoser, FIRST_CHECK } from '../src/diagnose/diagnoser.js';
import { GradientProbes } from '../src/probe/gradient-probes.js';
import type { RecordSink } from '../src/probe/sink.js';
import {
  callbackClock,
  type CallbackClock,
  DEFAULT_OVERHEAD_SAMPLES,
  referenceEpoch,
  secondsInCallbacks,
  secondsTiming,
  timed,
} from './probe-overhead.js';
import { threadClock, threadSeconds } from './timing.js';
import { threadSetting } from '../src/diagnose/evaluations.js';

export interface DiagnoserOverhead {
  /** epoch ÷ (epoch − time in the Diagnoser), in CPU time, median over the repeats. */
  ratio: number;
  /**
   * The same of the first repeat alone: the process's first epoch with a Diagnoser, whose rules
   * run as cold code (interpreted, then compiled), as in a one-epoch run.
   */
  firstRatio: number;
  /** CPU seconds in the Diagnoser per epoch, median. */
  secondsInDiagnoser: number;
  /** CPU seconds per epoch, median. */
  epochSeconds: number;
  /** Of which: CPU seconds keeping the probes' records (the sink), median. */
  secondsInSink: number;
  /** Of which: CPU seconds in the Diagnoser's callbacks, median. */
  secondsInCallbacks: number;
  /**
   * Of those: CPU seconds in the callbacks that evaluated every rule (at the scheduled steps and
   * when training ended), median.
   */
  secondsInEvaluations: number;
  /** And in the others, the per-step look for non-finite records, median. */
  secondsInStepLooks: number;
  /** Rule evaluations per run. */
  evaluations: number;
  /** Where the rules ran (diagnoser.ts `thread`), and whose CPU time the clock read. */
  rulesOn: 'their own thread' | 'the training thread';
  clock: typeof threadClock;
  /**
   * Each repeat's CPU seconds keeping records, in the callbacks and in the evaluations, and each
   * evaluation's CPU milliseconds in step order, in repeat order.
   */
  repeats: {
    /** Making the Diagnoser: starting the rules' thread, for the first in the process. */
    secondsMaking: number;
    secondsInSink: number;
    secondsInCallbacks: number;
    secondsInEvaluations: number;
    evaluationMilliseconds: number[];
  }[];
}

/**
 * `diagnoser` with each hook timed: into `evaluating` the calls that evaluate every rule (its
 * scheduled steps, diagnoser.ts FIRST_CHECK·CHECK_GROWTHᵏ, and the end of training), each one's
 * CPU seconds also appended to `each`; into `perStep` the others. Beside each per-step
 * `onBatchEnd` a timed callback that does nothing runs too, into `twin`, the two taking turns at
 * going first: what `perStep` counts more than `twin` is the looks' own cost, the clock's cost in
 * place left out (its calibration, probe-overhead.ts TIMER_COST, is taken with warm caches).
 */
function timedApart(
  diagnoser: Diagnoser,
  perStep: CallbackClock,
  twin: CallbackClock,
  evaluating: CallbackClock,
  each: number[],
): Callback {
  const step = timed(diagnoser, perStep);
  const nothing = timed({}, twin);
  const evaluation = timed(diagnoser, evaluating);
  const timedOnce = (run: () => void): void => {
    const before = secondsInCallbacks(evaluating);
    run();
    each.push(secondsInCallbacks(evaluating) - before);
  };
  let next = FIRST_CHECK;
  return {
    ...step,
    get nextBatchEnd() {
      return diagnoser.nextBatchEnd;
    },
    onBatchEnd: (context) => {
      if (context.step + 1 < next) {
        const [first, second] = thueMorse(context.step) === 0 ? [step, nothing] : [nothing, step];
        first.onBatchEnd!(context);
        second.onBatchEnd!(context);
        return;
      }
      next *= CHECK_GROWTH;
      timedOnce(() => evaluation.onBatchEnd!(context));
    },
    onTrainEnd: (history) => timedOnce(() => evaluation.onTrainEnd!(history)),
  };
}

/**
 * The Thue–Morse sequence's bit at `n`: the parity of its binary digits. It is 0 and 1 equally
 * often along every arithmetic progression (Gelfond, 1968), so steps recorded every k steps are
 * split evenly between the two orders, whatever k and the step they start at.
 */
function thueMorse(n: number): number {
  let parity = 0;
  for (let m = n; m > 0; m >>>= 1) parity ^= m & 1;
  return parity;
}

/**
 * `a` and `b` in one callback, taking turns at going first: `a` at the steps whose Thue–Morse
 * bit is 0. Not by the step's parity: the probes record activations and histograms at steps that
 * are multiples of 10 and 100 of the optimizer's count (gradient-probes.ts `stepOffset`), all
 * even or all odd in one fit's numbering, so that one set went first at every such step; that
 * one read the layers' outputs from colder caches, and which one it was changed with each fit
 * (1,875 steps an epoch): two identical probe sets into sinks that do nothing differed by −3 to
 * +6.5 ms an epoch, alternating fit after fit (2026-12-03).
 */
function takingTurns(a: Callback, b: Callback): Callback {
  const both = (step: number, run: (callback: Callback) => void): void => {
    const [first, second] = thueMorse(step) === 0 ? [a, b] : [b, a];
    run(first);
    run(second);
  };
  return {
    measuresWanted: (position) => measuresWanted([a, b], position),
    onTrainBegin: (model) => both(0, (c) => c.onTrainBegin?.(model)),
    onGradients: (context) => both(context.step, (c) => c.onGradients?.(context)),
    onBatchEnd: (context) => both(context.step, (c) => c.onBatchEnd?.(context)),
  };
}

/** [a, b], or [b, a] if `swap`. */
function swappedIf<T>(swap: boolean, a: T, b: T): [T, T] {
  return swap ? [b, a] : [a, b];
}

/**
 * A sink that keeps nothing. It takes groups as the Diagnoser's sink does, so that probes into
 * either make the same calls.
 */
export const NULL_SINK: RecordSink = {
  scalar: () => undefined,
  histogram: () => undefined,
  scalarGroup: () => ({ write: () => undefined }),
};

/** Epochs measured: the median of 7 is steadier than of 3 against a shared machine's load. */
const DEFAULT_REPEATS = 7;

/**
 * `repeats` runs of `epochs` epochs each (1 by default: every cost a run pays once, such as
 * the first evaluation, falls on that one epoch), each with a fresh Diagnoser; the ratios are
 * of the whole run's time, the seconds per epoch.
 */
export async function measureDiagnoserOverhead(
  samples = DEFAULT_OVERHEAD_SAMPLES,
  repeats = DEFAULT_REPEATS,
  epochs = 1,
): Promise<DiagnoserOverhead> {
  const train = await referenceEpoch(samples);
  train([]);
  const ratios: number[] = [];
  const inside: number[] = [];
  const epochTimes: number[] = [];
  const sinks: number[] = [];
  const callbacks: number[] = [];
  const evaluationTimes: number[] = [];
  const stepLookTimes: number[] = [];
  let evaluations = 0;
  const perRepeat: DiagnoserOverhead['repeats'] = [];
  for (let r = 0; r < repeats; r++) {
    // Its making counts: the first Diagnoser of a process starts the rules' thread.
    const making = threadSeconds();
    const diagnoser = new Diagnoser({ print: null, stopOnNonfinite: false });
    const makingCost = threadSeconds() - making;
    const probes = callbackClock();
    const bare = callbackClock();
    const own = callbackClock();
    const ownTwin = callbackClock();
    const evaluating = callbackClock();
    const evaluationSeconds: number[] = [];
    const measureNorms: Callback = { onGradients: (context) => void context.gradients.total };
    const started = threadSeconds();
    train(
      [
        measureNorms,
        takingTurns(
          ...swappedIf(
            r % 2 === 1,
            timed(new GradientProbes({ sink: diagnoser.sink }), probes),
            timed(new GradientProbes({ sink: NULL_SINK }), bare),
          ),
        ),
        timedApart(diagnoser, own, ownTwin, evaluating, evaluationSeconds),
      ],
      epochs,
    );
    // The epoch's CPU time as it would be without the second probe set and the clocks.
    const clocks = [probes, bare, own, ownTwin, evaluating].reduce(
      (sum, clock) => sum + secondsTiming(clock),
      0,
    );
    // The whole run's, without the twins (the second probe set, the callback that does nothing).
    const twins = secondsInCallbacks(bare) + secondsInCallbacks(ownTwin);
    const epoch = threadSeconds() - started - twins - clocks;
    const sinkCost = Math.max(0, secondsInCallbacks(probes) - secondsInCallbacks(bare));
    const evaluationCost = secondsInCallbacks(evaluating);
    // The per-step looks take well under the clock's microsecond, so that their sum was mostly
    // the clock's own cost in place less its calibration: 1.2–1.8 ms an epoch (2026-12-03), and
    // below zero on a loaded machine (2026-12-02). So the twin's is taken off; a difference
    // below zero counts as zero, never as a saving.
    const stepLookCost = Math.max(0, secondsInCallbacks(own) - secondsInCallbacks(ownTwin));
    const callbackCost = stepLookCost + evaluationCost;
    const cost = sinkCost + callbackCost + makingCost;
    ratios.push(epoch / (epoch - cost));
    inside.push(cost / epochs);
    sinks.push(sinkCost / epochs);
    callbacks.push(callbackCost / epochs);
    evaluationTimes.push(evaluationCost / epochs);
    stepLookTimes.push(stepLookCost / epochs);
    epochTimes.push(epoch / epochs);
    perRepeat.push({
      secondsMaking: makingCost,
      secondsInSink: sinkCost / epochs,
      secondsInCallbacks: callbackCost / epochs,
      secondsInEvaluations: evaluationCost / epochs,
      evaluationMilliseconds: evaluationSeconds.map((seconds) => seconds * 1e3),
    });
    evaluations = evaluationSeconds.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    ratio: median(ratios),
    firstRatio: ratios[0],
    secondsInDiagnoser: median(inside),
    epochSeconds: median(epochTimes),
    secondsInSink: median(sinks),
    secondsInCallbacks: median(callbacks),
    secondsInEvaluations: median(evaluationTimes),
    secondsInStepLooks: median(stepLookTimes),
    evaluations,
    rulesOn: threadSetting() ? 'their own thread' : 'the training thread',
    clock: threadClock,
    repeats: perRepeat,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const samples = Number(process.argv[2] ?? DEFAULT_OVERHEAD_SAMPLES);
  const repeats = Number(process.argv[3] ?? DEFAULT_REPEATS);
  const epochs = Number(process.argv[4] ?? 1);
  console.log(JSON.stringify(await measureDiagnoserOverhead(samples, repeats, epochs)));
}
