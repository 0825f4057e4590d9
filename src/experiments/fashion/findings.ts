/**
 * What the Fashion-MNIST runs show, read from their event files through the run provider and
 * worded from the numbers: each sentence compares a measured value with a reference (the other
 * run, the output side, 1) and says which way it went.
 */
import { formatNumber as fmt } from '../../charts/format.js';
import { median } from '../../engine/statistics.js';
import type { RunProvider } from '../../log/provider.js';
import * as tags from '../../probe/tags.js';
import { checkFindings, type CheckedRun } from '../verdicts.js';
import { EPOCH_TAGS } from './train.js';

/** The input-side and output-side Dense layers of the model (the article's TensorBoard views). */
export const INPUT_SIDE = 'dense_1';
export const OUTPUT_SIDE = 'dense_7';
export const DENSE_LAYERS = [
  'dense_1',
  'dense_2',
  'dense_3',
  'dense_4',
  'dense_5',
  'dense_6',
  'dense_7',
] as const;

/** One model's run, as its event files hold it; per-epoch arrays are indexed by epoch. */
export interface FashionRun {
  activation: string;
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** ‖∂L/∂W‖ of each Dense kernel at the last batch of each epoch. */
  gradNorms: Record<string, number[]>;
  /**
   * Wall-clock seconds per epoch: from the initial-weight records (written as training starts)
   * to the last epoch's metrics (written after its validation), over the epoch count.
   */
  secondsPerEpoch: number;
}

/** Reads the run `<activation>/train` and `<activation>/validation` below the provider's root. */
export async function readFashionRun(
  provider: RunProvider,
  activation: string,
): Promise<FashionRun> {
  const train = `${activation}/train`;
  const validation = `${activation}/validation`;
  const values = async (run: string, tag: string) =>
    (await provider.readScalars(run, tag)).map((p) => p.value);
  const lossPoints = await provider.readScalars(train, EPOCH_TAGS.loss);
  const gradNorms: Record<string, number[]> = {};
  for (const layer of DENSE_LAYERS) {
    gradNorms[layer] = await values(train, tags.gradNormTag(`${layer}/kernel`));
  }
  const [initial] = await provider.readHistograms(
    train,
    tags.weightsHistogramTag('dense_1/kernel'),
  );
  const end = lossPoints.at(-1);
  const secondsPerEpoch =
    initial && end ? (end.wallTime - initial.wallTime) / lossPoints.length : NaN;
  return {
    activation,
    loss: lossPoints.map((p) => p.value),
    accuracy: await values(train, EPOCH_TAGS.accuracy),
    valLoss: await values(validation, EPOCH_TAGS.loss),
    valAccuracy: await values(validation, EPOCH_TAGS.accuracy),
    gradNorms,
    secondsPerEpoch,
  };
}

/** ‖∂L/∂W‖ of the input-side kernel over that of the output-side one. */
export interface GradientShare {
  /** At the end of the first epoch, before Adam has adapted its step sizes. */
  firstEpoch: number;
  /** Median over the epochs. */
  median: number;
}

export function gradientShare(run: FashionRun): GradientShare {
  const input = run.gradNorms[INPUT_SIDE];
  const output = run.gradNorms[OUTPUT_SIDE];
  return {
    firstEpoch: input[0] / output[0],
    median: median(input.map((norm, e) => norm / output[e])),
  };
}

/** "smaller" or "larger" (or "the same"): how `ratio` compares with 1. */
function direction(ratio: number): string {
  if (ratio < 1) return 'smaller';
  if (ratio > 1) return 'larger';
  return 'the same';
}

/** One sentence per run: its final metrics and where its gradient sat. */
export function runFinding(run: FashionRun): string {
  const last = run.loss.length - 1;
  const share = gradientShare(run);
  return (
    `${run.activation}: after ${last + 1} epochs loss ${fmt(run.loss[last])}, val_loss ` +
    `${fmt(run.valLoss[last])} (best ${fmt(Math.min(...run.valLoss))}), val_accuracy ` +
    `${fmt(run.valAccuracy[last])}, ${fmt(run.secondsPerEpoch)} s per epoch; the input-side ` +
    `kernel's gradient was ${fmt(share.firstEpoch)}× the output-side kernel's after epoch 1 ` +
    `(${direction(share.firstEpoch)}) and a median ${fmt(share.median)}× over all epochs.`
  );
}

/** Sigmoid against ReLU: which reached the lower loss, and whose input side got more gradient. */
export function comparisonFinding(sigmoid: FashionRun, relu: FashionRun): string {
  const best = (values: number[]) => Math.min(...values);
  const lower = best(relu.loss) < best(sigmoid.loss) && best(relu.valLoss) < best(sigmoid.valLoss);
  const ratio = gradientShare(sigmoid).median / gradientShare(relu).median;
  return (
    `ReLU ${lower ? 'reached lower' : 'did not reach lower'} training and validation loss than ` +
    `sigmoid (best loss ${fmt(best(relu.loss))} vs ${fmt(best(sigmoid.loss))}, best val_loss ` +
    `${fmt(best(relu.valLoss))} vs ${fmt(best(sigmoid.valLoss))}); relative to the output side, ` +
    `sigmoid's input-side gradient was ${fmt(ratio)}× ReLU's: ${direction(ratio)} with sigmoid.`
  );
}

/** The checks whose verdicts (or their absence) are stated for every run. */
export const FASHION_CHECKS = ['vanishing_gradient'] as const;
/** Checks stated where the run logged what they need. */
export const FASHION_UNIT_CHECKS = ['dead_relu', 'saturated_activation'] as const;

/**
 * The article's finding beside this run's: with sigmoid it shows the input-side kernel's
 * histogram staying as it was initialized while ReLU's spreads. Here the vanishing is a
 * vanishing_gradient verdict of the rule engine on the sigmoid run, or none.
 */
export function articleFinding(checked: CheckedRun): string {
  const verdicts = checked.diagnosis.verdicts.filter((v) =>
    (FASHION_CHECKS as readonly string[]).includes(v.check),
  );
  const found =
    verdicts.length === 0
      ? `diagnose gives no ${FASHION_CHECKS.join(' or ')} verdict on this run's sigmoid model`
      : `diagnose gives ${verdicts.map((v) => `a ${v.check} ${v.severity}${v.layer ? ` on ${v.layer}` : ''}`).join(' and ')} on this run's sigmoid model`;
  return (
    'The article finds the sigmoid model’s input side frozen (its first kernel’s histogram stays as ' +
    `initialized while ReLU’s spreads); ${found}.`
  );
}

/**
 * Every finding of the runs: the comparison first when both activations ran, then the
 * article's finding beside the sigmoid run's verdicts, then per run its measurements and what
 * diagnose found on it (`checked`, by activation).
 */
export function fashionFindings(
  runs: readonly FashionRun[],
  checked: ReadonlyMap<string, CheckedRun>,
): string[] {
  const findings = runs.map(runFinding);
  const sigmoid = runs.find((run) => run.activation === 'sigmoid');
  const relu = runs.find((run) => run.activation === 'relu');
  const sigmoidChecked = checked.get('sigmoid');
  if (sigmoidChecked) findings.unshift(articleFinding(sigmoidChecked));
  if (sigmoid && relu) findings.unshift(comparisonFinding(sigmoid, relu));
  for (const run of runs) {
    const found = checked.get(run.activation);
    if (found) {
      findings.push(...checkFindings(run.activation, found, FASHION_CHECKS, FASHION_UNIT_CHECKS));
    }
  }
  return findings;
}
