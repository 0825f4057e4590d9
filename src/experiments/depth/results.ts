/** The depth runs read back through a RunProvider: per-layer statistics and loss curves. */
import type { RunProvider } from '../../log/provider.js';
import * as tags from '../../probe/tags.js';
import { hiddenLayers, kernelGradStdTag, preactivationGradStdTag } from './train.js';

/** Per hidden layer, input side first, at one step. */
export interface LayerStats {
  activationStd: number[];
  gradStd: number[];
}

/** The same after training, with the activations' mean and the kernel gradients' std. */
export interface TrainedLayerStats extends LayerStats {
  /** The step the statistics were taken at (the last update). */
  step: number;
  activationMean: number[];
  kernelGradStd: number[];
}

async function valueAt(
  provider: RunProvider,
  run: string,
  tag: string,
  step: number,
): Promise<number> {
  const point = (await provider.readScalars(run, tag)).find((p) => p.step === step);
  if (!point) throw new Error(`${run}: no '${tag}' record at step ${step}`);
  return point.value;
}

/** The value of `tag(layer)` at `step` for each hidden layer, input side first. */
function perLayer(
  provider: RunProvider,
  run: string,
  depth: number,
  step: number,
): (tag: (layer: string) => string) => Promise<number[]> {
  return (tag) =>
    Promise.all(hiddenLayers(depth).map((layer) => valueAt(provider, run, tag(layer), step)));
}

export async function readLayerStats(
  provider: RunProvider,
  run: string,
  depth: number,
  step: number,
): Promise<LayerStats> {
  const read = perLayer(provider, run, depth, step);
  return {
    activationStd: await read(tags.activationStdTag),
    gradStd: await read(preactivationGradStdTag),
  };
}

export async function readTrainedLayerStats(
  provider: RunProvider,
  run: string,
  depth: number,
  step: number,
): Promise<TrainedLayerStats> {
  const read = perLayer(provider, run, depth, step);
  return {
    step,
    ...(await readLayerStats(provider, run, depth, step)),
    activationMean: await read(tags.activationMeanTag),
    kernelGradStd: await read(kernelGradStdTag),
  };
}

/** ‖∂L/∂a‖ of each hidden layer at `step`, input side first. */
export async function readSignalNorms(
  provider: RunProvider,
  run: string,
  depth: number,
  step: number,
): Promise<number[]> {
  return perLayer(provider, run, depth, step)(tags.signalNormTag);
}

/** Mean batch loss of each epoch of `stepsPerEpoch` steps. */
export async function readEpochLoss(
  provider: RunProvider,
  run: string,
  stepsPerEpoch: number,
): Promise<number[]> {
  const sums: number[] = [],
    counts: number[] = [];
  for (const { step, value } of await provider.readScalars(run, tags.LOSS_TAG)) {
    const epoch = Math.floor(step / stepsPerEpoch);
    sums[epoch] = (sums[epoch] ?? 0) + value;
    counts[epoch] = (counts[epoch] ?? 0) + 1;
  }
  return sums.map((sum, epoch) => sum / counts[epoch]);
}
