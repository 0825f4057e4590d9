/**
 * The article's numpy demonstration of exploding gradients through time, on the engine:
 *
 *   np.random.seed(3); dh = np.ones((N, H)); Wh = np.random.randn(H, H)
 *   for t in range(T): dh = np.dot(dh, Wh.T); norm_list.append(np.sqrt(np.sum(dh**2)) / N)
 *
 * is backpropagation through time of a linear SimpleRNN whose recurrent kernel is Wh: with
 * h_t = x_t·K + h_{t−1}·Wh, ∂L/∂h_{t−1} = ∂L/∂h_t·Whᵀ. The model runs T + 1 time steps under a
 * loss whose gradient at the last hidden state is ones(N, H) (the article's starting dh), so
 * ∂L/∂h_{T+1−k} is the article's dh after k steps back, k = 0 … T. One training step (SGD) runs;
 * a ThroughTimeProbe records ‖∂L/∂h_t‖ at every t and GradientProbes the global gradient norm
 * before and after the engine's global-norm clipper, all into the run's event files.
 *
 * The inputs are ones: in a linear RNN ∂L/∂h_t does not depend on them, and they make the
 * parameter gradient (what the clipper acts on) non-zero. (The article's first listing uses dh
 * before assigning it; the working order above is the one reproduced.)
 */
import { arrayDataset } from '../../engine/dataset.js';
import { ValueError } from '../../engine/errors.js';
import { SimpleRNN } from '../../engine/layers/simple-rnn.js';
import type { Loss } from '../../engine/losses.js';
import { Sequential } from '../../engine/sequential.js';
import { RunWriter } from '../../log/run-writer.js';
import { GradientProbes } from '../../probe/gradient-probes.js';
import { ThroughTimeProbe } from '../../probe/recorders/through-time.js';
import type { RecordSink } from '../../probe/sink.js';
import { makeOptimizer } from '../training-flags.js';
import { diagnosedProbes, type LiveDiagnosisArgs } from '../live-diagnosis.js';

/** The recurrent layer's name in the run's tags. */
export const RNN_LAYER = 'simple_rnn_1';
/** The training step whose backward pass is the demonstration. */
export const DEMO_STEP = 0;

export interface RnnRunArgs extends LiveDiagnosisArgs {
  /** The recurrent kernel, as rows (H × H). Required. */
  wh: readonly (readonly number[])[];
  /** Mini-batch size: rows of dh. Required. */
  N: number;
  /** Steps back through time, as in the article. Required. */
  T: number;
  /** The engine's globalClipnorm on the parameter gradients. Required. */
  maxNorm: number;
  /** Where the records go: a RunWriter or a MemoryProvider run. Required. */
  sink: RecordSink;
}

/**
 * L = Σ y ⊙ h_T over batch and units, not averaged: its gradient at the last hidden state is y
 * itself, and the labels are ones(N, H), so backpropagation starts from the article's
 * dh = np.ones((N, H)).
 */
export const SEED_LOSS: Loss = {
  name: 'seed_ones',
  fusedActivation: null,
  labelSize: (cols) => cols,
  checkLabels: () => {},
  compute(p, y, rows, cols) {
    let sum = 0;
    for (let i = 0; i < rows * cols; i++) sum += p[i] * y[i];
    return sum;
  },
  gradient(_p, y, out, rows, cols) {
    out.set(y.subarray(0, rows * cols));
  },
  logitGradient() {
    throw new ValueError('seed_ones: has no fused activation');
  },
  correct: () => null,
};

/** The linear SimpleRNN of the demonstration, its recurrent kernel set to `wh`. */
export function buildRnnModel(args: Pick<RnnRunArgs, 'wh' | 'T' | 'maxNorm'>): Sequential {
  const units = args.wh.length;
  const model = new Sequential({
    name: 'rnn_demo',
    layers: [
      new SimpleRNN({
        units,
        activation: 'linear',
        useBias: false,
        inputShape: [args.T + 1, 1],
        kernelInitializer: 'ones',
        recurrentInitializer: 'zeros',
      }),
    ],
  });
  model.compile({
    optimizer: makeOptimizer({ optimizer: 'sgd', clipping: { globalClipnorm: args.maxNorm } }),
    loss: SEED_LOSS,
  });
  model.layer(RNN_LAYER).variable('recurrent_kernel').value.data.set(args.wh.flat());
  return model;
}

/** One training step of the demonstration, its records into `args.sink`. */
export function trainRnn(args: RnnRunArgs): void {
  const model = buildRnnModel(args);
  const { N, T } = args;
  const units = args.wh.length;
  const data = arrayDataset(
    new Array<number>(N * (T + 1)).fill(1),
    [T + 1, 1],
    new Array<number>(N * units).fill(1),
    units,
  );
  const callbacks = diagnosedProbes({
    live: args,
    name: model.name,
    sink: args.sink,
    probes: (sink) => [
      new ThroughTimeProbe({ sink, at: [DEMO_STEP] }),
      new GradientProbes({ sink, every: { activations: 'never', histograms: 'never' } }),
    ],
  });
  model.fit(data, { epochs: 1, batchSize: N, shuffle: false, maxSteps: 1, callbacks });
}

/** `trainRnn` into a new event file under `logDir`. */
export function trainRnnToDisk(args: Omit<RnnRunArgs, 'sink'>, logDir: string): void {
  const writer = new RunWriter(logDir, { command: 'rnn' });
  try {
    trainRnn({ ...args, sink: writer });
  } finally {
    writer.close();
  }
}
