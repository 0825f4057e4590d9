/** The live Diagnoser: verdicts during fit, written as text, training stopped on NaN. */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Diagnoser } from '../../src/diagnose/diagnoser.js';
import { ZOO } from '../../src/diagnose/zoo/specs.js';
import { trainZooRun } from '../../src/diagnose/zoo/train.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-diagnoser-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const spec = (name: string) => ZOO.find((s) => s.name === name)!;

test('stops training at the first non-finite step and writes verdicts TensorBoard reads', async () => {
  const writer = new RunWriter(path.join(tmp, 'nan'));
  const lines: string[] = [];
  const diagnoser = new Diagnoser({
    sink: writer,
    texts: writer,
    name: 'nan',
    print: (l) => lines.push(l),
  });
  trainZooRun(spec('nan-lr-100-sgd'), diagnoser.sink, [diagnoser]);
  writer.close();
  const provider = new DirectoryProvider(path.join(tmp, 'nan'));
  const loss = await provider.readScalars('.', 'loss');
  const nonfinite = diagnoser.verdicts.find((v) => v.check === 'nonfinite')!;
  assert.equal(loss[loss.length - 1].step, nonfinite.firstStep, 'training ends at the NaN step');
  assert.ok(!Number.isFinite(loss[loss.length - 1].value));
  const [text] = await provider.readTexts('.', 'verdicts/nonfinite');
  assert.equal(text.step, nonfinite.firstStep);
  assert.match(text.text, /^\*\*error\*\* `nonfinite`/);
  assert.match(
    lines.find((l) => l.includes('nonfinite'))!,
    new RegExp(`step ${nonfinite.firstStep}: error nonfinite`),
  );
});

test('a healthy run trains to the end with no verdict', () => {
  const diagnoser = new Diagnoser({ print: null });
  trainZooRun(spec('healthy-relu-3-adam'), diagnoser.sink, [diagnoser]);
  assert.deepEqual(diagnoser.verdicts, []);
});

test('overfitting fires live from the epoch logs, once', () => {
  const lines: string[] = [];
  const diagnoser = new Diagnoser({ print: (l) => lines.push(l) });
  trainZooRun({ ...spec('overfit-24-samples'), epochs: 60 }, diagnoser.sink, [diagnoser]);
  const overfitting = diagnoser.verdicts.filter((v) => v.check === 'overfitting');
  assert.equal(overfitting.length, 1);
  assert.equal(lines.filter((l) => l.includes('overfitting')).length, 1);
});
