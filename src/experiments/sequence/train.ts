/**
 * One run of the adding problem: a recurrent model trained on fresh sequences (one epoch of
 * steps × batch, each sequence seen once), evaluated on a held-out set, its records written to
 * a sink (a RunWriter, or a MemoryProvider's run): the probes' scalars, the through-time
 * profiles at the first and last training step, and the test and baseline MSE (TEST_TAGS, at
 * the final step).
 */
import { GradientProbes } from '../../probe/index.js';
import type { RecordSink } from '../../probe/sink.js';
import type { AddingSet } from './data.js';
import { baselineMse } from './data.js';
import { buildSequenceModel } from './model.js';
import type { SequenceModel } from './model.js';
import { ThroughTimeProbe } from '../../probe/recorders/through-time.js';
import { diagnosedProbes, type LiveDiagnosisArgs } from '../live-diagnosis.js';

export const TEST_TAGS = { mse: 'test/mse', baselineMse: 'test/baseline_mse' } as const;

export interface SequenceRunArgs extends LiveDiagnosisArgs {
  /** Required. */
  model: SequenceModel;
  /** Training sequences: steps × batchSize of them. Required. */
  train: AddingSet;
  /** Held-out sequences of the same length. Required. */
  test: AddingSet;
  /** Hidden units of the recurrent layer. Required. */
  units: number;
  /** Optimizer steps. Required. */
  steps: number;
  /** Required. */
  batchSize: number;
  /** Adam's learning rate. Required. */
  learningRate: number;
  /** Seeds the weights. Required. */
  seed: number;
  /** Where the run's records go. Required. */
  sink: RecordSink;
  /** Called after every step with the number done. */
  onStep?: (done: number) => void;
}

/** What the run returns besides its records: the layer to read and the steps profiled. */
export interface SequenceRun {
  model: SequenceModel;
  timesteps: number;
  /** The recurrent layer's name (its through-time tags). */
  layer: string;
  /** Training steps with a through-time profile: the first and the last. */
  profileSteps: [number, number];
}

export function runSequence(args: SequenceRunArgs): SequenceRun {
  const timesteps = args.train.dataset.sampleShape[0];
  const { model, recurrent } = buildSequenceModel({
    model: args.model,
    timesteps,
    units: args.units,
    learningRate: args.learningRate,
    seed: args.seed,
  });
  model.build();
  const profileSteps: [number, number] = [0, args.steps - 1];
  const { sink } = args;
  const callbacks = [
    ...diagnosedProbes({
      live: args,
      name: model.name,
      sink,
      probes: (diagnosed) => [
        new GradientProbes({ sink: diagnosed }),
        new ThroughTimeProbe({ sink: diagnosed, at: profileSteps, layers: [recurrent.name!] }),
      ],
    }),
    { onBatchEnd: () => args.onStep?.(model.optimizer!.iterations) },
  ];
  model.fit(args.train.dataset, {
    epochs: 1,
    batchSize: args.batchSize,
    maxSteps: args.steps,
    callbacks,
  });
  const test = model.evaluate(args.test.dataset, { batchSize: args.batchSize });
  sink.scalar(TEST_TAGS.mse, test.loss, args.steps);
  sink.scalar(TEST_TAGS.baselineMse, baselineMse(args.test.y), args.steps);
  return {
    model: args.model,
    timesteps,
    layer: recurrent.name!,
    profileSteps,
  };
}
