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
 * Run alone: node dist/bench/probe-step-cost.js
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchEndContext, StepContext } from '../src/engine/callbacks.js';
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
  /** CPU µs the probes add per step, per configuration. */
  probesMicroseconds: Record<string, number>;
  /** (step + probes) ÷ step, per configuration. */
  ratios: Record<string, number>;
  /** CPU µs the probes add per step with one group alone, into memory. */
  partsMicroseconds: Record<string, number>;
}

/** Steps per captured epoch: enough to capture a step, short to train. */
const CAPTURE_SAMPLES = 3200;

/** The groups timed alone: the probes' parts. */
const PARTS = ['loss', 'norms', 'updates', 'signals', 'activations', 'histograms'] as const;

export async function measureProbeStepCost(): Promise<ProbeStepCost> {
  const train = await referenceEpoch(CAPTURE_SAMPLES);
  let model: Model | undefined;
  let gradients: StepContext | undefined;
  let batchEnd: BatchEndContext | undefined;
  train([
    {
      onTrainBegin: (m) => void (model = m),
      onGradients: (context) => void (gradients = context),
      onBatchEnd: (context) => void (batchEnd = context),
    },
  ]);
  const steps = CAPTURE_SAMPLES / 32;
  const stepSeconds = secondsPerCall(() => train([]), 0.5) / steps;
  const variables = gradients!.gradients.variables;
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-probe-step-cost-'));
  /** CPU seconds the probes add to a step, with `every` into `sink`. */
  const probeSeconds = (sink: RecordSink, every: ProbeIntervals): number => {
    const probes = new GradientProbes({ sink, every });
    probes.onTrainBegin(model!);
    let step = 1;
    const seconds = secondsPerCall(() => {
      // A fresh measurement per step, as fit makes one: the gradient norms are the probes' cost.
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
    ratios[name] = 1 + seconds / stepSeconds;
  }
  const partsMicroseconds: Record<string, number> = {};
  for (const part of PARTS) {
    const seconds = probeSeconds(new MemoryProvider().run('bench'), { ...NO_PROBES, [part]: 1 });
    partsMicroseconds[part] = seconds * 1e6;
  }
  fs.rmSync(logdir, { recursive: true, force: true });
  return {
    stepMicroseconds: stepSeconds * 1e6,
    probesMicroseconds,
    ratios,
    partsMicroseconds,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await measureProbeStepCost()));
}
