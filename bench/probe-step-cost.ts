/**
 * The probes' own cost per step, apart from the garbage collector and the machine's load: the
 * CPU time of their two callbacks on one captured step of the reference model, called over and
 * over (the best of several trials, bench/timing.ts), against the CPU time of a training step.
 *
 * bench/probe-overhead.ts times whole epochs, which is what a user pays, but on a loaded
 * machine its figures swing by ±0.05: young-generation collections of 2–14 ms (about three an
 * epoch with or without probes) land inside whichever callback allocates when the space runs
 * out, often the probes', and a callback of 20 µs is now and then descheduled. This bench
 * leaves those out, so it shows what a change to the probes' code does.
 *
 * The probes ask backward for the gradient and signal norms (`measuresWanted`), which the
 * kernels then take as they compute (kernels.ts `measure`): that cost sits in the step, not in
 * the callbacks, so the ratios add it (`measuringMicroseconds`: each layer's backward on the
 * captured batch, and the optimizer's update, measuring less not measuring).
 *
 * Run alone: node dist/bench/probe-step-cost.js
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchEndContext, Callback, StepContext } from '../src/engine/callbacks.js';
import { NO_MEASURES, type StepMeasures } from '../src/engine/measures.js';
import { Dense } from '../src/engine/layers/dense.js';
import type { Model } from '../src/engine/model.js';
import { GradientNorms } from '../src/engine/norms.js';
import { MemoryProvider } from '../src/log/memory-provider.js';
import { RunWriter } from '../src/log/run-writer.js';
import { GradientProbes } from '../src/probe/gradient-probes.js';
import { NO_PROBES, type ProbeIntervals } from '../src/probe/intervals.js';
import type { RecordSink } from '../src/probe/sink.js';
import { NORMS_EVERY_STEP, referenceEpoch } from './probe-overhead.js';
import { secondsPerCall } from './timing.js';

export interface ProbeStepCost {
  /** CPU µs of one training step of the reference model (batch 32). */
  stepMicroseconds: number;
  /** CPU µs a step spends more when backward measures the norms the probes read. */
  measuringMicroseconds: number;
  /** That extra cost in two parts: backward (Σg², Σ signal²) and the update (Σ Δw², Σw²). */
  measuringPartsMicroseconds: { backward: number; update: number };
  /** CPU µs the probes add per step, per configuration. */
  probesMicroseconds: Record<string, number>;
  /** (step + measuring + probes) ÷ step, per configuration. */
  ratios: Record<string, number>;
  /** CPU µs the probes add per step with one group alone, into memory. */
  partsMicroseconds: Record<string, number>;
}

/** Steps per captured epoch: enough to capture a step, short to train. */
const CAPTURE_SAMPLES = 3200;

/** What the probes ask backward for when norms and signals are due: everything. */
const MEASURE_ALL: StepMeasures = { gradients: true, signals: true, updates: true, weights: true };

/** Rounds of bare and measuring passes, alternated so that both see the same machine. */
const STEP_ROUNDS = 3;

/**
 * CPU seconds backward spends more on the captured batch when it measures what the probes read
 * (MEASURE_ALL) than when it measures nothing: each layer's backward timed alone both ways, on
 * the buffers of the captured step (whole passes of ~350 µs vary by more than the difference).
 */
function backwardMeasuringSeconds(model: Model): number {
  const { layers } = model;
  let extra = 0;
  layers.forEach((layer, index) => {
    const outputGrad = layer.outputGrad;
    if (outputGrad === null) return;
    // The last layer's ∂L/∂z came from the loss fused with its activation.
    const last = index === layers.length - 1 && layer instanceof Dense;
    const fused = last ? (layer.preActivationGrad ?? undefined) : undefined;
    const needInputGrad = layer.inputGrad !== null;
    const backward = (measures: StepMeasures) => () => {
      // Written whole again, as after the step's zeroGrad.
      for (const variable of layer.variables) variable.zeroGrad();
      layer.backward(outputGrad, needInputGrad, fused, measures);
    };
    let bare = Infinity;
    let measuring = Infinity;
    for (let round = 0; round < STEP_ROUNDS; round++) {
      bare = Math.min(bare, secondsPerCall(backward(NO_MEASURES), 0.05));
      measuring = Math.min(measuring, secondsPerCall(backward(MEASURE_ALL), 0.05));
    }
    extra += measuring - bare;
  });
  return extra;
}

/**
 * CPU seconds the optimizer's step spends more when it measures ‖Δw‖ and Σw² of the new
 * weights (StepMeasures.updates, StepMeasures.weights) than when it does not, on the captured
 * gradients (the weights move on; the cost does not).
 */
function updateMeasuringSeconds(model: Model, gradients: GradientNorms): number {
  const optimizer = model.optimizer!;
  const variables = model.trainableVariables;
  let bare = Infinity;
  let measuring = Infinity;
  for (let round = 0; round < STEP_ROUNDS; round++) {
    bare = Math.min(
      bare,
      secondsPerCall(() => optimizer.apply(variables, gradients, false), 0.05),
    );
    const measured = secondsPerCall(() => optimizer.apply(variables, gradients, true, true), 0.05);
    measuring = Math.min(measuring, measured);
  }
  return measuring - bare;
}

/** The groups timed alone: the probes' parts. */
const PARTS = ['loss', 'norms', 'updates', 'signals', 'activations', 'histograms'] as const;

export async function measureProbeStepCost(): Promise<ProbeStepCost> {
  const train = await referenceEpoch(CAPTURE_SAMPLES);
  let model: Model | undefined;
  let gradients: StepContext | undefined;
  let batchEnd: BatchEndContext | undefined;
  let recorded: (number | null)[] = [];
  const measuring: Callback = { measuresWanted: () => MEASURE_ALL };
  train([
    {
      ...measuring,
      onTrainBegin: (m) => void (model = m),
      onGradients: (context) => {
        gradients = context;
        recorded = context.gradients.variables.map((v) => v.recordedGradSquares);
      },
      onBatchEnd: (context) => void (batchEnd = context),
    },
  ]);
  const steps = CAPTURE_SAMPLES / 32;
  const stepSeconds = secondsPerCall(() => train([]), 0.5) / steps;
  const backwardSeconds = backwardMeasuringSeconds(model!);
  const updateSeconds = updateMeasuringSeconds(model!, gradients!.gradients);
  const measuringSeconds = backwardSeconds + updateSeconds;
  const variables = gradients!.gradients.variables;
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-probe-step-cost-'));
  /** CPU seconds the probes add to a step, with `every` into `sink`. */
  const probeSeconds = (sink: RecordSink, every: ProbeIntervals): number => {
    const probes = new GradientProbes({ sink, every });
    probes.onTrainBegin(model!);
    let step = 1;
    const seconds = secondsPerCall(() => {
      // The sums backward recorded, as each step records them; the probes' reads forget them.
      for (let k = 0; k < variables.length; k++) {
        const squares = recorded[k];
        if (squares !== null) variables[k].recordGradSquares(squares);
      }
      // A fresh measurement per step, as fit makes one, from the recorded sums where there are.
      const measured = new GradientNorms(variables);
      probes.onGradients({ ...gradients!, step, gradients: measured });
      probes.onBatchEnd({ ...batchEnd!, step, gradients: measured });
      step++;
    });
    if (sink instanceof RunWriter) sink.close();
    return seconds;
  };
  const configs: Record<string, () => { sink: RecordSink; every: ProbeIntervals }> = {
    normsEveryStep: () => ({ sink: new MemoryProvider().run('bench'), every: NORMS_EVERY_STEP }),
    normsEveryStepToEventFile: () => ({
      sink: new RunWriter(path.join(logdir, 'norms')),
      every: NORMS_EVERY_STEP,
    }),
    defaults: () => ({ sink: new MemoryProvider().run('bench'), every: {} }),
  };
  const probesMicroseconds: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  for (const [name, config] of Object.entries(configs)) {
    const { sink, every } = config();
    const seconds = probeSeconds(sink, every);
    probesMicroseconds[name] = seconds * 1e6;
    ratios[name] = 1 + (measuringSeconds + seconds) / stepSeconds;
  }
  const partsMicroseconds: Record<string, number> = {};
  for (const part of PARTS) {
    const seconds = probeSeconds(new MemoryProvider().run('bench'), { ...NO_PROBES, [part]: 1 });
    partsMicroseconds[part] = seconds * 1e6;
  }
  fs.rmSync(logdir, { recursive: true, force: true });
  return {
    stepMicroseconds: stepSeconds * 1e6,
    measuringMicroseconds: measuringSeconds * 1e6,
    measuringPartsMicroseconds: { backward: backwardSeconds * 1e6, update: updateSeconds * 1e6 },
    probesMicroseconds,
    ratios,
    partsMicroseconds,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await measureProbeStepCost()));
}
