/**
 * Scalar groups (sink.ts `ScalarGroup`): a group write records what `scalar` calls in tag order
 * would, byte for byte in an event file, point for point in a MemoryRun, through a TeeSink and
 * for a sink without groups; and a ScalarBatch reuses the group of a tag list it has seen.
 */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryProvider } from '../../src/log/memory-provider.js';
import { scanRecords } from '../../src/log/record-format.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { ScalarBatch } from '../../src/probe/scalar-batch.js';
import { scalarGroup, TeeSink, type RecordSink } from '../../src/probe/sink.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-scalar-groups-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TAGS = ['loss', 'grad_norm/dense_1/kernel', 'nonfinite/gradients'];
/** Per step: values for TAGS, with a NaN, an infinity and a value float32 rounds. */
const ROWS = [
  [0.5, 1 / 3, 0],
  [NaN, Infinity, 2],
  [1e-40, -3e38, 7],
];

/** Writes ROWS at steps 0, 1, 2 (wall time 10 + step), each step held, as the probes do. */
function writeSteps(sink: RecordSink, grouped: boolean): void {
  const group = scalarGroup(sink, TAGS);
  ROWS.forEach((row, step) => {
    sink.hold?.();
    if (grouped) group.write(Float64Array.from(row), step, 10 + step);
    else TAGS.forEach((tag, k) => sink.scalar(tag, row[k], step, 10 + step));
    sink.flush?.();
  });
}

test('a RunWriter group writes the bytes of its scalars written one by one', () => {
  const files = [true, false].map((grouped) => {
    const writer = new RunWriter(path.join(tmp, grouped ? 'grouped' : 'single'));
    writeSteps(writer, grouped);
    writer.close();
    // The first record holds the file's own creation time; the scalar events follow it.
    const scan = scanRecords(new Uint8Array(fs.readFileSync(writer.path)));
    return scan.records.slice(1).map((record) => [...record.data]);
  });
  assert.equal(files[0].length, ROWS.length);
  assert.deepEqual(files[0], files[1]);
});

test('a MemoryRun group records the points, order and count of scalar calls', async () => {
  const provider = new MemoryProvider();
  writeSteps(provider.run('grouped'), true);
  writeSteps(provider.run('single'), false);
  const [grouped, single] = [provider.run('grouped'), provider.run('single')];
  assert.deepEqual(grouped.tags(), single.tags());
  assert.equal(grouped.records, single.records);
  for (const tag of TAGS) {
    const points = await provider.readScalars('grouped', tag);
    assert.deepEqual(points, await provider.readScalars('single', tag));
    assert.deepEqual(
      points.map((p) => p.value),
      ROWS.map((row) => Math.fround(row[TAGS.indexOf(tag)])),
    );
  }
});

test('a group made but never written records nothing', () => {
  const run = new MemoryProvider().run('r');
  run.scalarGroup(['never_written']);
  assert.deepEqual(run.tags().order, []);
});

test('through a TeeSink and for a sink without groups, a group writes tag by tag', async () => {
  const calls: string[] = [];
  const plain: RecordSink = {
    scalar: (tag, value, step, wallTime) => void calls.push(`${tag}=${value}@${step},${wallTime}`),
    histogram: () => undefined,
  };
  const memory = new MemoryProvider();
  writeSteps(new TeeSink([plain, memory.run('tee')]), true);
  assert.deepEqual(
    calls,
    ROWS.flatMap((row, step) => TAGS.map((tag, k) => `${tag}=${row[k]}@${step},${10 + step}`)),
  );
  assert.equal((await memory.readScalars('tee', 'loss')).length, ROWS.length);
});

test('a ScalarBatch keeps the group of each tag list it writes, and writes in order', () => {
  const made: string[][] = [];
  const written: string[] = [];
  const sink: RecordSink = {
    scalar: () => assert.fail('a batch writes through groups'),
    histogram: () => undefined,
    scalarGroup(tags) {
      made.push([...tags]);
      return {
        write: (values, step) =>
          void written.push(
            `${tags.join('+')}:${Array.from(values).slice(0, tags.length)}@${step}`,
          ),
      };
    },
  };
  const batch = new ScalarBatch(sink);
  // Lists alike but for a tag, a prefix of the last, the same as the last (the batch compares
  // tags as they come: each of these must find its own group).
  const lists = [
    ['a', 'b'],
    ['a', 'b', 'c'],
    ['a', 'b'],
    ['a', 'b', 'c'],
    ['d'],
    ['a', 'b', 'c'],
    ['a', 'b', 'x'],
    ['a', 'b', 'x'],
    ['a', 'x', 'c'],
  ];
  lists.forEach((list, step) => {
    list.forEach((tag, k) => batch.add(tag, step * 10 + k));
    batch.write(step, 0);
  });
  batch.write(99, 0);
  assert.deepEqual(made, [['a', 'b'], ['a', 'b', 'c'], ['d'], ['a', 'b', 'x'], ['a', 'x', 'c']]);
  assert.deepEqual(written, [
    'a+b:0,1@0',
    'a+b+c:10,11,12@1',
    'a+b:20,21@2',
    'a+b+c:30,31,32@3',
    'd:40@4',
    'a+b+c:50,51,52@5',
    'a+b+x:60,61,62@6',
    'a+b+x:70,71,72@7',
    'a+x+c:80,81,82@8',
  ]);
});
