/**
 * Runs written by an independent writer (test/fixtures/foreign/make_fixtures.py: hand-encoded
 * protobuf, pure-Python CRC32C), laid out as PyTorch's SummaryWriter and Keras's TensorBoard
 * callback write them.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { diagnoseAll } from '../../src/diagnose/diagnose.js';
import { DirectoryProvider } from '../../src/log/provider.js';

const FOREIGN = fileURLToPath(new URL('../../../test/fixtures/foreign', import.meta.url));

test('foreign runs: names, order, verdicts and skips', async () => {
  const provider = new DirectoryProvider(FOREIGN);
  const results = await diagnoseAll(provider);
  assert.deepEqual(provider.warnings(), []);
  assert.deepEqual(
    [...results.keys()],
    [
      'keras-healthy',
      'keras-overfit',
      'pytorch-exploding',
      'pytorch-healthy',
      'pytorch-histograms',
    ],
  );
  const checks = (run: string): string[] => results.get(run)!.verdicts.map((v) => v.check);
  assert.deepEqual(checks('keras-healthy'), []);
  assert.deepEqual(checks('pytorch-healthy'), []);
  assert.deepEqual(checks('keras-overfit'), ['overfitting']);
  assert.deepEqual(checks('pytorch-exploding'), [
    'nonfinite',
    'exploding_gradient',
    'loss_diverging',
  ]);
  assert.deepEqual(checks('pytorch-histograms'), ['vanishing_gradient']);
  const overfit = results.get('keras-overfit')!.verdicts[0];
  assert.equal(overfit.evidence.tag, 'keras-overfit/validation:epoch_loss');
  assert.equal(overfit.firstStep, 4);
  assert.doesNotMatch(overfit.remedy, /--epochs/); // a foreign run: the general remedy
  // Layer order is first appearance: the histograms run logs encoder.layers.0 first.
  const vanishing = results.get('pytorch-histograms')!.verdicts[0];
  assert.deepEqual(
    [
      vanishing.evidence.firstParameter,
      vanishing.evidence.lastParameter,
      vanishing.evidence.source,
    ],
    ['encoder.layers.0.weight', 'head.weight', 'histogram'],
  );
  const exploding = results.get('pytorch-exploding')!;
  assert.equal(exploding.verdicts[0].evidence.tag, 'train/loss');
  const skipped = exploding.skipped.map((s) => s.check);
  assert.ok(skipped.includes('overfitting') && skipped.includes('saturated_activation'));
});

test('PyTorch parameter tags keep their names and first-appearance order', async () => {
  const provider = new DirectoryProvider(FOREIGN);
  const { order, histograms } = await provider.listTags('pytorch-healthy');
  const parameters = order
    .filter((t) => t.startsWith('grad_norm/'))
    .map((t) => t.slice('grad_norm/'.length));
  assert.deepEqual(parameters, ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  assert.ok(histograms.includes('weights/4.bias') && histograms.includes('gradients/0.weight'));
  const [first] = await provider.readHistograms('pytorch-healthy', 'gradients/0.weight');
  assert.equal(
    first.buckets.reduce((n, b) => n + b.count, 0),
    64,
  );
});
