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
import { checkRun, type CheckedRun } from '../../src/experiments/verdicts.js';

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
  const checked = new Map<string, CheckedRun>();
  for (const activation of ['sigmoid', 'relu']) {
    checked.set(activation, await checkRun(provider, activation));
  }
  return fashionFindings(runs, checked);
}

test('sigmoid input side smaller: the sentence says smaller, with the measured ratio', async () => {
  const [comparison, , sigmoid, relu] = await findingsFor(0.25, 2);
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
  const [comparison, , sigmoid] = await findingsFor(1.7, 1);
  assert.match(comparison, /sigmoid's input-side gradient was 1\.7× ReLU's: larger with sigmoid/);
  assert.match(sigmoid, /was 1\.7× the output-side kernel's after epoch 1 \(larger\)/);
});

test("the vanishing is diagnose's verdict, with its ratio, and the article's finding beside it", async () => {
  const vanished = await findingsFor(1e-5, 1);
  assert.match(
    vanished[1],
    /^The article finds .* diagnose gives a vanishing_gradient (warning|error) on dense_1\/kernel on this run's sigmoid model\.$/,
  );
  assert.ok(
    vanished.includes(
      'sigmoid: diagnose gives a vanishing_gradient error on dense_1/kernel: the gradient of dense_1/kernel is 1.00e-5 of that of dense_7/kernel (median ‖g‖ 1.00e-5 over 2 steps).',
    ),
    vanished.join('\n'),
  );
  const kept = await findingsFor(0.25, 2);
  assert.match(
    kept[1],
    /diagnose gives no vanishing_gradient verdict on this run's sigmoid model\.$/,
  );
  assert.ok(
    kept.includes(
      'relu: diagnose gives no vanishing_gradient verdict: the gradient of dense_1/kernel is 2× that of dense_7/kernel (median over 2 steps), not below 0.001 (AUTOTRAINER (ICSE 2021)).',
    ),
    kept.join('\n'),
  );
});
