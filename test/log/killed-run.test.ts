/** A training process killed mid-run leaves event files the reader reads up to the last whole record. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectoryProvider } from '../../src/log/provider.js';

const WRITER = fileURLToPath(new URL('../../src/log/run-writer.js', import.meta.url));

test('SIGKILL during writing leaves a readable run', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'killed-'));
  // Writes scalars and histograms as fast as it can until it is killed.
  const script = `
    const { RunWriter } = await import(${JSON.stringify(WRITER)});
    const writer = new RunWriter(${JSON.stringify(logdir)});
    const values = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i));
    for (let step = 0; ; step++) {
      writer.scalar('loss', 1 / (step + 1), step);
      writer.histogram('weights', values, step);
      if (step === 20) process.stdout.write('ready\\n');
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 150));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const provider = new DirectoryProvider(logdir);
  const scalars = await provider.readScalars('.', 'loss');
  const histograms = await provider.readHistograms('.', 'weights');
  assert.ok(scalars.length > 20, `read ${scalars.length} scalars`);
  scalars.forEach((point, step) => {
    assert.equal(point.step, step);
    assert.equal(point.value, Math.fround(1 / (step + 1)));
  });
  // Records are written scalar then histogram, so at most one histogram is missing at the cut.
  assert.ok(histograms.length === scalars.length || histograms.length === scalars.length - 1);
  for (const warning of provider.warnings()) assert.match(warning.message, /truncat/i);
});
