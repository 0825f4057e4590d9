/**
 * Fashion's findings follow the data: two small synthetic runs in a MemoryProvider, once with the
 * input side's gradient share smaller with sigmoid and once larger, read back as the report
 * reads event files.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  DENSE_LAYERS,
  fashionFindings,
  INPUT_SIDE,
  readFashionRun,
} from '../../src/experiments/fashion/findings.js';
import { EPOCH_TAGS } from '../../src/experiments/fashion/train.js';
import { MemoryProvider } from '../../src/log/memory-provider.js';
import * as tags from '../../src/probe/tags.js';

/** Two epochs of one model: every kernel's gradient norm is 1 except the input side's. */
function writeRun(provider: MemoryProvider, activation: string, inputNorm: number): void {
  const train = provider.run(`${activation}/train`);
  const validation = provider.run(`${activation}/validation`);
  train.histogram(tags.weightsHistogramTag('dense_1/kernel'), [0, 1], 0);
  for (const epoch of [0, 1]) {
    for (const layer of DENSE_LAYERS) {
      const norm = layer === INPUT_SIDE ? inputNorm : 1;
      train.scalar(tags.gradNormTag(`${layer}/kernel`), norm, 2 * epoch + 1);
    }
    train.scalar(EPOCH_TAGS.loss, activation === 'relu' ? 0.5 : 0.8, epoch);
    train.scalar(EPOCH_TAGS.accuracy, 0.7, epoch);
    validation.scalar(EPOCH_TAGS.loss, activation === 'relu' ? 0.6 : 0.9, epoch);
    validation.scalar(EPOCH_TAGS.accuracy, 0.65, epoch);
  }
}

async function findingsFor(sigmoidInput: number, reluInput: number): Promise<string[]> {
  const provider = new MemoryProvider();
  writeRun(provider, 'sigmoid', sigmoidInput);
  writeRun(provider, 'relu', reluInput);
  const runs = [await readFashionRun(provider, 'sigmoid'), await readFashionRun(provider, 'relu')];
  return fashionFindings(runs);
}

test('sigmoid input side smaller: the sentence says smaller, with the measured ratio', async () => {
  const [comparison, sigmoid, relu] = await findingsFor(0.25, 2);
  assert.match(comparison, /^ReLU reached lower training and validation loss/);
  assert.match(
    comparison,
    /sigmoid's input-side gradient was 0\.125× ReLU's: smaller with sigmoid/,
  );
  assert.match(
    sigmoid,
    /^sigmoid: .* was 0\.25× the output-side kernel's after epoch 1 \(smaller\)/,
  );
  assert.match(relu, /^relu: .* was 2× the output-side kernel's after epoch 1 \(larger\)/);
});

test('sigmoid input side larger: the same sentence turns round', async () => {
  const [comparison, sigmoid] = await findingsFor(1.7, 1);
  assert.match(comparison, /sigmoid's input-side gradient was 1\.7× ReLU's: larger with sigmoid/);
  assert.match(sigmoid, /was 1\.7× the output-side kernel's after epoch 1 \(larger\)/);
});
