/** The in-memory provider reads what the event-file provider reads, for the same records. */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryProvider } from '../../src/log/memory-provider.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { TeeSink } from '../../src/probe/sink.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-memory-provider-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const withoutWallTime = <T extends { wallTime: number }>(points: T[]) =>
  points.map(({ wallTime: _wallTime, ...rest }) => rest);

test('a MemoryProvider run reads back exactly what the event files read back', async () => {
  const memory = new MemoryProvider();
  const writer = new RunWriter(path.join(tmp, 'a'));
  const sink = new TeeSink([memory.run('a'), writer]);
  const values = new Float32Array([0.1, -2.5, 3, 3, Number.NaN, 7e-8]);
  for (let step = 0; step < 5; step++) {
    sink.scalar('loss', 1 / (step + 3), step);
    sink.scalar('grad_norm/dense_1/kernel', step === 3 ? Infinity : 0.1 * step, step);
    sink.histogram(
      'weights/dense_1/kernel',
      values.map((v) => v * step),
      step,
      {
        bucketCount: 7,
      },
    );
  }
  writer.close();
  const disk = new DirectoryProvider(tmp);
  assert.deepEqual(await memory.listRuns(), ['a']);
  assert.deepEqual(await memory.listTags('a'), await disk.listTags('a'));
  for (const tag of ['loss', 'grad_norm/dense_1/kernel']) {
    const fromMemory = await memory.readScalars('a', tag);
    assert.equal(fromMemory.length, 5);
    assert.deepEqual(
      withoutWallTime(fromMemory),
      withoutWallTime(await disk.readScalars('a', tag)),
    );
  }
  const histograms = await memory.readHistograms('a', 'weights/dense_1/kernel');
  assert.equal(histograms[2].buckets.length, 7);
  assert.deepEqual(
    withoutWallTime(histograms),
    withoutWallTime(await disk.readHistograms('a', 'weights/dense_1/kernel')),
  );
});

test('reads are copies, and an unknown run is an error that lists the known ones', async () => {
  const memory = new MemoryProvider();
  memory.run('b').scalar('loss', 2, 0);
  const points = await memory.readScalars('b', 'loss');
  points[0].value = 99;
  assert.equal((await memory.readScalars('b', 'loss'))[0].value, 2);
  const columns = await memory.readScalarColumns('b', 'loss');
  for (let step = 1; step < 40; step++) memory.run('b').scalar('loss', -1, step);
  assert.deepEqual([...columns.values], [2], 'columns read before the appends stay as read');
  assert.equal((await memory.readScalarColumns('b', 'loss')).values.length, 40);
  assert.deepEqual(await memory.readScalars('b', 'missing'), []);
  await assert.rejects(memory.listTags('c'), /no run 'c'\. Expected one of: b/);
});
