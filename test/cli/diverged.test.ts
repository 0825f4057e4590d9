/** A run that diverges: stopped at the first NaN, marked in its logs and report, exit 1. */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DirectoryProvider } from '../../src/log/provider.js';
import { run, tempOut } from './support.js';

test('titanic --learning-rate 1e6 stops at the first non-finite value, says where, and exits 1', async () => {
  const out = tempOut();
  const result = run([
    'titanic',
    '--learning-rate',
    '1e6',
    '--updates',
    '20',
    '--json',
    '--out',
    out,
  ]);
  assert.equal(result.code, 1, result.stderr);
  const message =
    /gradscope: titanic_relu: training diverged at step (\d+) \(epoch \d+, batch \d+\): the first non-finite value is (the loss|the output of dense_\d|∂L\/∂a at dense_\d|the gradient of dense_\d\/(kernel|bias)|the weights of dense_\d\/(kernel|bias) after the update)/;
  const match = message.exec(result.stderr);
  assert.ok(match, result.stderr);
  const step = Number(match[1]);
  const json = JSON.parse(result.stdout) as {
    models: Record<
      string,
      { loss: (number | null)[]; diverged?: { step: number; quantity: string } }
    >;
  };
  const relu = json.models.relu;
  assert.equal(relu.diverged?.step, step);
  assert.equal(relu.diverged?.quantity, match[2]);
  assert.equal(relu.loss.length, step + 1, 'training stopped after the step that diverged');
  assert.ok(
    relu.loss.slice(0, step).every((v) => v !== null),
    'finite up to there',
  );
  const sidecar = JSON.parse(
    fs.readFileSync(path.join(out, 'titanic', 'relu', 'diverged.json'), 'utf8'),
  ) as { step: number; message: string };
  assert.equal(sidecar.step, step);
  const marks = await new DirectoryProvider(path.join(out, 'titanic')).readScalars(
    'relu',
    'diverged',
  );
  assert.deepEqual(
    marks.map((p) => [p.step, p.value]),
    [[step, 1]],
  );
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(
    html,
    /<div class="notice" role="alert"><ul><li>titanic_relu: training diverged at step/,
  );
  assert.doesNotMatch(html, /NaN×/);
});
