/**
 * Which remedies a run gets: gradscope's runs are known by the writer their event files name
 * (source_metadata.writer), whatever tags an experiment logs; foreign fixtures stay foreign.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandFlags } from '../../src/cli/command-flags.js';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import { groupRuns, loadRunData } from '../../src/diagnose/run-data.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import { RandomState } from '../../src/engine/random.js';
import { writeActivationCurves } from '../../src/experiments/activations/records.js';
import { activationCurves } from '../../src/experiments/activations/curves.js';
import { runGlorot, runHe } from '../../src/experiments/depth/train.js';
import { trainRnnToDisk } from '../../src/experiments/rnn/train.js';
import { GRADSCOPE_WRITER } from '../../src/log/proto.js';
import { DirectoryProvider, type RunProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { oneRun, series } from './support.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures', import.meta.url));

async function origins(provider: RunProvider): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const group of groupRuns(await provider.listRuns()))
    found[group.name] = (await loadRunData(provider, group)).origin;
  return found;
}

/** `write` into a fresh RunWriter under `dir/name`, closed after. */
function withWriter(dir: string, name: string, write: (writer: RunWriter) => void): void {
  const writer = new RunWriter(path.join(dir, name));
  try {
    write(writer);
  } finally {
    writer.close();
  }
}

test('every experiment’s writer marks its runs as gradscope’s, whatever tags they hold', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-origin-'));
  try {
    const random = new RandomState(0);
    const images = arrayDataset(
      random.randn(64 * 784),
      [28, 28],
      Array.from({ length: 64 }, () => random.randint(0, 10)),
    );
    const tiny = { depth: 2, width: 8, train: images, learningRate: 0.01, seed: 1 };
    // The depth study logs only loss and its own tags: no nonfinite/* or global_norm/*.
    withWriter(dir, 'depth/glorot', (sink) =>
      runGlorot({
        ...tiny,
        activation: 'tanh',
        init: 'standard',
        updates: 2,
        statSteps: [0],
        sink,
      }),
    );
    withWriter(dir, 'depth/he', (sink) =>
      runHe({ ...tiny, init: 'he', epochs: 1, momentum: 0.9, sink }),
    );
    withWriter(dir, 'activations', (sink) =>
      writeActivationCurves(sink, activationCurves({ points: 5 })),
    );
    trainRnnToDisk(
      {
        wh: [
          [0.5, 0],
          [0, 0.5],
        ],
        N: 2,
        T: 3,
        maxNorm: 100,
      },
      path.join(dir, 'rnn'),
    );
    const provider = new DirectoryProvider(dir);
    const tags = await provider.listTags('depth/he');
    assert.ok(!tags.order.some((t) => t.startsWith('nonfinite/') || t.startsWith('global_norm/')));
    assert.deepEqual(await provider.writers('depth/he'), [GRADSCOPE_WRITER]);
    assert.deepEqual(await origins(provider), {
      activations: 'gradscope',
      'depth/glorot': 'gradscope',
      'depth/he': 'gradscope',
      rnn: 'gradscope',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('PyTorch- and Keras-written fixtures stay foreign, named writer or none', async () => {
  const pytorch = new DirectoryProvider(path.join(FIXTURES, 'pytorch'));
  // torch.utils.tensorboard (tensorboard 2.21) names its writer; tensorboardX names none.
  assert.deepEqual(await pytorch.writers('healthy-relu-3-sgd-scalars'), [
    'tensorboard.summary.writer.event_file_writer',
  ]);
  assert.deepEqual(await pytorch.writers('nan-lr-100-sgd'), []);
  const foreign = new DirectoryProvider(path.join(FIXTURES, 'foreign'));
  for (const provider of [pytorch, foreign]) {
    const found = await origins(provider);
    assert.ok(Object.keys(found).length >= 3);
    for (const [run, origin] of Object.entries(found)) assert.equal(origin, 'foreign', run);
  }
  assert.ok('keras-overfit' in (await origins(foreign))); // train/ and validation/ as one run
});

test('runs without files are told by the tags only gradscope’s probes write', async () => {
  const ours = oneRun((run) => series(run, 'nonfinite/loss', [0]));
  const theirs = oneRun((run) => series(run, 'loss', [1]));
  assert.deepEqual(await origins(ours), { run: 'gradscope' });
  assert.deepEqual(await origins(theirs), { run: 'foreign' });
});

test('remedies name only flags of the command that wrote the run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-command-'));
  try {
    // A loss that stays flat: loss_not_decreasing, whose remedy names --learning-rate.
    for (const command of ['depth', 'titanic']) {
      const writer = new RunWriter(path.join(dir, command), { command });
      for (let step = 0; step < 50; step++) writer.scalar('loss', 2.303, step);
      writer.close();
    }
    const provider = new DirectoryProvider(dir);
    assert.deepEqual(await provider.writers('depth'), ['gradscope depth']);
    const data = await loadRunData(provider, { name: 'depth', train: 'depth' });
    assert.equal(data.origin, 'gradscope');
    assert.equal(data.command, 'depth');
    const flags = commandFlags();
    assert.ok(!flags.get('depth')!.has('--learning-rate'));
    assert.ok(flags.get('titanic')!.has('--learning-rate'));
    const remedy = async (run: string, options = {}) =>
      (await diagnoseRun(provider, run, options)).verdicts.find(
        (v) => v.check === 'loss_not_decreasing',
      )!.remedy;
    assert.match(await remedy('titanic', { commandFlags: flags }), /--learning-rate/);
    assert.doesNotMatch(await remedy('depth', { commandFlags: flags }), /--/);
    // Without the commands' flags the remedy may name any gradscope flag.
    assert.match(await remedy('depth'), /--learning-rate/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
