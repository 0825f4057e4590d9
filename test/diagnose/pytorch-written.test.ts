/**
 * Runs that PyTorch's own writers wrote (test/fixtures/pytorch, from bench/pytorch_zoo.py):
 * torch.utils.tensorboard's SummaryWriter for scalars, tensorboardX's for histograms. Each is
 * diagnosed as its labels say, and the healthy one gets no warning or error.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnoseAll } from '../../src/diagnose/diagnose.js';
import { scoreDiagnoses } from '../../src/diagnose/zoo/evaluate.js';
import { DirectoryProvider } from '../../src/log/provider.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/pytorch', import.meta.url));

test('PyTorch-written runs: every labelled check found, no alarm on the healthy run', async () => {
  const labels = JSON.parse(readFileSync(join(DIR, 'labels.json'), 'utf8')) as {
    runs: Record<string, { faults: string[] }>;
  };
  const provider = new DirectoryProvider(DIR);
  const diagnoses = await diagnoseAll(provider);
  assert.deepEqual(provider.warnings(), []);
  assert.deepEqual([...diagnoses.keys()].sort(), Object.keys(labels.runs).sort());
  const score = scoreDiagnoses(
    Object.entries(labels.runs).map(([name, { faults }]) => ({
      name,
      faults,
      diagnosis: diagnoses.get(name)!,
    })),
  );
  for (const run of score.runs) assert.deepEqual([run.name, run.missed], [run.name, []]);
  assert.equal(score.healthyRuns, 1);
  assert.equal(score.falseAlarms, 0);
  // PyTorch parameter names, in model order, with the general (not gradscope-flag) remedy.
  const nan = diagnoses.get('nan-lr-100-sgd')!.verdicts.find((v) => v.check === 'nonfinite')!;
  assert.equal(nan.firstStep, 3);
  assert.doesNotMatch(nan.remedy, /--/);
  const dead = diagnoses.get('dead-relu-bias--7')!.verdicts.filter((v) => v.check === 'dead_relu');
  assert.deepEqual(
    dead.map((v) => v.layer),
    ['0', '2', '4', '6'],
  );
});
