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

test('group writes read back the same columns as the same records written one by one', async () => {
  const grouped = new MemoryProvider();
  const single = new MemoryProvider();
  const run = grouped.run('a');
  const first = run.scalarGroup(['a', 'b', 'a']);
  const second = run.scalarGroup(['b', 'c']);
  const writes: [tags: string[], group: typeof first | null, values: number[]][] = [];
  let early: Awaited<ReturnType<MemoryProvider['readScalarColumns']>> | null = null;
  for (let step = 0; step < 60; step++) {
    // The first group alone for a while (its series share its clock), then the second group
    // and single records on the same tags, which move the series onto steps of their own.
    writes.push([['a', 'b', 'a'], first, [step, 0.1 * step, -step]]);
    if (step >= 30 && step % 3 === 0) writes.push([['b', 'c'], second, [step / 7, 1 / (step + 1)]]);
    if (step === 45) writes.push([['a'], null, [Math.PI]]);
    for (const [tags, group, values] of writes.splice(0)) {
      const wallTime = 1000 + step;
      if (group) group.write(values, step, wallTime);
      else tags.forEach((tag, k) => run.scalar(tag, values[k], step, wallTime));
      tags.forEach((tag, k) => single.run('a').scalar(tag, values[k], step, wallTime));
    }
    if (step === 20) early = await grouped.readScalarColumns('a', 'b');
  }
  assert.deepEqual(await grouped.listTags('a'), await single.listTags('a'));
  assert.equal(await grouped.version('a'), await single.version('a'));
  for (const tag of ['a', 'b', 'c']) {
    const columns = await grouped.readScalarColumns('a', tag);
    assert.ok(columns.steps.length >= 10, `${tag} has points`);
    assert.deepEqual(columns, await single.readScalarColumns('a', tag), tag);
  }
  assert.deepEqual([...early!.steps], [...Array(21).keys()], 'a view taken early stays as read');
  assert.deepEqual(
    [...early!.values],
    [...Array(21).keys()].map((step) => Math.fround(0.1 * step)),
  );
});
