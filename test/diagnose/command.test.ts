/** `gradscope diagnose`: exit codes, the JSON shape, and bad input without a stack trace. */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnoseCommand } from '../../src/cli/diagnose.js';
import { UsageError } from '../../src/experiments/flags.js';
import { RunWriter } from '../../src/log/run-writer.js';

const FOREIGN = fileURLToPath(new URL('../../../test/fixtures/foreign', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-diagnose-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await diagnoseCommand(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
  });
  return { code, out, err };
}

test('--json prints exactly the issue’s shape; exit 1 when a verdict is an error', async () => {
  const { code, out, err } = await run([FOREIGN, '--json']);
  assert.equal(code, 1);
  assert.equal(err, '');
  const parsed = JSON.parse(out) as {
    runs: Record<
      string,
      { verdicts: Record<string, unknown>[]; skipped: Record<string, unknown>[] }
    >;
  };
  assert.deepEqual(Object.keys(parsed), ['runs']);
  for (const { verdicts, skipped } of Object.values(parsed.runs)) {
    for (const verdict of verdicts) {
      assert.deepEqual(Object.keys(verdict).sort(), [
        'check',
        'evidence',
        'firstStep',
        'lastStep',
        'layer',
        'message',
        'remedy',
        'severity',
      ]);
      assert.ok(['error', 'warning', 'info'].includes(verdict.severity as string));
      for (const value of Object.values(verdict.evidence as object))
        assert.ok(['number', 'string'].includes(typeof value));
    }
    for (const s of skipped) assert.deepEqual(Object.keys(s).sort(), ['check', 'reason']);
  }
});

test('exit 0 on healthy runs; the table names check, severity, layer, steps, evidence, remedy', async () => {
  const { code, out } = await run([
    path.join(FOREIGN, 'keras-overfit'),
    path.join(FOREIGN, 'pytorch-healthy'),
  ]);
  assert.equal(code, 0);
  assert.match(out, /check +\| severity \| layer \| steps \| evidence \| remedy/);
  assert.match(out, /run .*keras-overfit: 1 verdict/);
  assert.match(out, /overfitting +\| warning/);
});

test('bad input: clear messages, usage errors for missing or empty directories', async () => {
  await assert.rejects(
    run([path.join(tmp, 'missing')]),
    (e: unknown) => e instanceof UsageError && /no such directory/.test(e.message),
  );
  fs.mkdirSync(path.join(tmp, 'empty'));
  await assert.rejects(
    run([path.join(tmp, 'empty')]),
    /no runs under .*empty: expected directories holding TensorBoard event files/,
  );
  await assert.rejects(
    run(['--threshold', 'dead_relu.nope=1', FOREIGN]),
    /--threshold expects check.name=number/,
  );
  await assert.rejects(run(['--bogus']), /unknown flag --bogus/);
});

test('a damaged file is warned about with file and offset, and the rest is diagnosed', async () => {
  const writer = new RunWriter(path.join(tmp, 'damaged'));
  for (let step = 0; step < 10; step++) writer.scalar('loss', step === 5 ? NaN : 1, step);
  writer.close();
  const bytes = fs.readFileSync(writer.path);
  fs.writeFileSync(writer.path, bytes.subarray(0, bytes.length - 7)); // cut the last record
  const { code, out, err } = await run([path.join(tmp, 'damaged'), '--json']);
  assert.match(
    err,
    new RegExp(`warning: ${writer.path.replace(/[.]/g, '\\.')} at offset \\d+: truncated record`),
  );
  assert.equal(code, 1);
  const verdict = (
    JSON.parse(out) as {
      runs: Record<string, { verdicts: { check: string; firstStep: number }[] }>;
    }
  ).runs['.'].verdicts[0];
  assert.deepEqual([verdict.check, verdict.firstStep], ['nonfinite', 5]);
});

test('many runs: each gets its own entry', async () => {
  const root = path.join(tmp, 'many');
  for (let i = 0; i < 200; i++) {
    const writer = new RunWriter(path.join(root, `run-${String(i).padStart(3, '0')}`));
    writer.scalar('loss', 1, 0);
    writer.close();
  }
  const { code, out } = await run([root, '--json']);
  assert.equal(code, 0);
  assert.equal(Object.keys((JSON.parse(out) as { runs: object }).runs).length, 200);
});
