import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventFileWriter } from '../../src/log/event-writer.js';
import { histogramSummaryValue } from '../../src/log/histograms.js';
import { encodeEvent, type EventMessage } from '../../src/log/proto.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { encodeRecord } from '../../src/log/record-format.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { scalarSummaryValue } from '../../src/log/scalars.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-provider-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function scalarRecord(tag: string, value: number, step: number): Uint8Array {
  const event: EventMessage = { wallTime: 100 + step, step, summary: { value: [] } };
  event.summary?.value?.push(scalarSummaryValue(tag, value));
  return encodeRecord(encodeEvent(event));
}

test('the writer names files events.out.tfevents.<seconds>.<host>.<pid>.<thread>.<counter>', () => {
  const before = Math.floor(Date.now() / 1000);
  const first = new EventFileWriter(path.join(tmp, 'names', 'deep'));
  const second = new EventFileWriter(path.join(tmp, 'names', 'deep'));
  const after = Math.floor(Date.now() / 1000);
  first.close();
  second.close();
  const pattern = /^events\.out\.tfevents\.(\d+)\.(.+)\.(\d+)\.(\d+)\.(\d+)$/;
  const [a, b] = [first.path, second.path].map((p) => pattern.exec(path.basename(p)));
  assert.ok(a && b, `${first.path} ${second.path}`);
  assert.ok(Number(a[1]) >= before && Number(a[1]) <= after);
  assert.deepEqual([a[2], Number(a[3]), Number(a[4])], [os.hostname(), process.pid, 0]);
  assert.equal(Number(b[5]), Number(a[5]) + 1);
  assert.equal(path.dirname(first.path), path.join(tmp, 'names', 'deep'));
});

test('lists every directory holding event files, the root as "."', async () => {
  const root = path.join(tmp, 'listing');
  for (const dir of ['.', 'a', 'a/b', 'c/d']) new RunWriter(path.join(root, dir)).close();
  fs.mkdirSync(path.join(root, 'empty'));
  fs.writeFileSync(path.join(root, 'c', 'notes.txt'), 'not an event file');
  const provider = new DirectoryProvider(root);
  assert.deepEqual(await provider.listRuns(), ['.', 'a', 'a/b', 'c/d']);
  assert.deepEqual(await new DirectoryProvider(path.join(tmp, 'missing')).listRuns(), []);
});

test('reads back what RunWriter wrote, and what it writes later', async () => {
  const root = path.join(tmp, 'live');
  const writer = new RunWriter(path.join(root, 'train'));
  writer.scalar('loss', 0.5, 0, 10);
  writer.scalar('loss', 0.25, 1, 11);
  writer.histogram('dense/kernel', [1, 2, 2, 3], 1, { bucketCount: 2, wallTime: 11 });
  const provider = new DirectoryProvider(root);
  assert.deepEqual(await provider.listTags('train'), {
    scalars: ['loss'],
    histograms: ['dense/kernel'],
    texts: [],
    order: ['loss', 'dense/kernel'],
  });
  assert.deepEqual(await provider.readScalars('train', 'loss'), [
    { step: 0, wallTime: 10, value: 0.5 },
    { step: 1, wallTime: 11, value: 0.25 },
  ]);
  writer.scalar('loss', 0.125, 2, 12);
  writer.close();
  // Overlapping reads of newly grown files must not ingest the new records twice.
  const reads = await Promise.all([1, 2, 3].map(() => provider.readScalars('train', 'loss')));
  for (const loss of reads) {
    assert.deepEqual(
      loss.map((p) => p.value),
      [0.5, 0.25, 0.125],
    );
  }
  assert.deepEqual(await provider.readHistograms('train', 'dense/kernel'), [
    {
      step: 1,
      wallTime: 11,
      buckets: [
        { left: 1, right: 2, count: 1 },
        { left: 2, right: 3, count: 3 },
      ],
    },
  ]);
  assert.deepEqual(await provider.readScalars('train', 'no-such-tag'), []);
  assert.deepEqual(provider.warnings(), []);
});

test('a record appended in two pieces is read once whole', async () => {
  const dir = path.join(tmp, 'pieces');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'events.out.tfevents.1.host');
  const second = scalarRecord('acc', 0.75, 2);
  fs.writeFileSync(file, scalarRecord('acc', 0.5, 1));
  fs.appendFileSync(file, second.subarray(0, 10));
  const provider = new DirectoryProvider(dir);
  assert.deepEqual(
    (await provider.readScalars('.', 'acc')).map((p) => p.step),
    [1],
  );
  const [warning] = provider.warnings();
  assert.equal(warning.file, file);
  assert.equal(warning.offset, scalarRecord('acc', 0.5, 1).length);
  assert.match(warning.message, /truncated record header/);
  fs.appendFileSync(file, second.subarray(10));
  assert.deepEqual(
    (await provider.readScalars('.', 'acc')).map((p) => p.step),
    [1, 2],
  );
  assert.deepEqual(provider.warnings(), []);
});

test("reads a run's event files in file-name order", async () => {
  const dir = path.join(tmp, 'order');
  fs.mkdirSync(dir);
  // Written in reverse, so directory order or creation order would both give [2, 1].
  fs.writeFileSync(path.join(dir, 'events.out.tfevents.200.h'), scalarRecord('x', 2, 2));
  fs.writeFileSync(path.join(dir, 'events.out.tfevents.100.h'), scalarRecord('x', 1, 1));
  const points = await new DirectoryProvider(dir).readScalars('.', 'x');
  assert.deepEqual(
    points.map((p) => p.value),
    [1, 2],
  );
});

test('skips a corrupt record with a warning and keeps the rest', async () => {
  const dir = path.join(tmp, 'corrupt');
  fs.mkdirSync(dir);
  const records = [1, 2, 3].map((step) => scalarRecord('y', step, step));
  const bytes = Uint8Array.from(records.flatMap((r) => [...r]));
  bytes[records[0].length + 20] ^= 1; // inside the data of the second record
  const file = path.join(dir, 'events.out.tfevents.5.h');
  fs.writeFileSync(file, bytes);
  const provider = new DirectoryProvider(dir);
  const points = await provider.readScalars('.', 'y');
  assert.deepEqual(
    points.map((p) => p.step),
    [1, 3],
  );
  assert.deepEqual(
    provider.warnings().map((w) => [w.file, w.offset]),
    [[file, records[0].length]],
  );
  assert.match(provider.warnings()[0].message, /bad data CRC/);
});

test('a tag keeps the kind its first value revealed', async () => {
  const dir = path.join(tmp, 'kinds');
  fs.mkdirSync(dir);
  const withoutMetadata = histogramSummaryValue('h', [{ left: 0, right: 1, count: 2 }]);
  delete withoutMetadata.metadata; // TF 1.x writers send metadata with the first value only
  const events: EventMessage[] = [
    { step: 1, summary: { value: [histogramSummaryValue('h', [])] } },
    { step: 2, summary: { value: [withoutMetadata] } },
  ];
  const bytes = events.flatMap((event) => [...encodeRecord(encodeEvent(event))]);
  fs.writeFileSync(path.join(dir, 'events.out.tfevents.9.h'), Uint8Array.from(bytes));
  const points = await new DirectoryProvider(dir).readHistograms('.', 'h');
  assert.deepEqual(
    points.map((p) => [p.step, p.buckets.length]),
    [
      [1, 0],
      [2, 1],
    ],
  );
});

test('refuses runs outside the root and names missing runs', async () => {
  const provider = new DirectoryProvider(path.join(tmp, 'listing'));
  const root = path.join(tmp, 'listing');
  await assert.rejects(provider.readScalars('../live/train', 'loss'), {
    message:
      `DirectoryProvider: run must name a directory inside ${root}.` +
      ' Received: run="../live/train"',
  });
  await assert.rejects(provider.listTags('nope'), /expected run "nope" to be a readable directory/);
});

test('columns hold the points of readScalars, across files, and stay as read when the run grows', async () => {
  const dir = path.join(tmp, 'columns');
  fs.mkdirSync(dir, { recursive: true });
  const first = path.join(dir, 'events.out.tfevents.1.a');
  const second = path.join(dir, 'events.out.tfevents.2.a');
  fs.writeFileSync(first, Buffer.concat([0, 1, 2].map((s) => scalarRecord('loss', s / 4, s))));
  fs.writeFileSync(second, scalarRecord('loss', 9, 3));
  const provider = new DirectoryProvider(dir);
  const columns = await provider.readScalarColumns('.', 'loss');
  const points = await provider.readScalars('.', 'loss');
  assert.deepEqual([...columns.steps], [0, 1, 2, 3]);
  assert.deepEqual([...columns.values], [0, 0.25, 0.5, 9]);
  assert.deepEqual(
    points,
    [...columns.steps].map((step, i) => ({
      step,
      wallTime: columns.wallTimes[i],
      value: columns.values[i],
    })),
  );
  // Enough appended points to move the index's arrays, and one overwriting nothing read.
  fs.appendFileSync(
    second,
    Buffer.concat(Array.from({ length: 40 }, (_, k) => scalarRecord('loss', -1, 4 + k))),
  );
  const grown = await provider.readScalarColumns('.', 'loss');
  assert.equal(grown.steps.length, 44);
  assert.deepEqual([...columns.values], [0, 0.25, 0.5, 9]);
  assert.equal((await provider.readScalarColumns('.', 'absent')).steps.length, 0);
});

test('a run read for the first time tells how far the read has got, then nothing', async () => {
  const root = path.join(tmp, 'progress');
  const writer = new RunWriter(path.join(root, 'big'));
  for (let step = 0; step < 20000; step++) writer.scalar('loss', 1 / (step + 1), step);
  writer.close();
  const bytes = fs
    .readdirSync(path.join(root, 'big'))
    .reduce((sum, name) => sum + fs.statSync(path.join(root, 'big', name)).size, 0);
  const provider = new DirectoryProvider(root);
  assert.deepEqual(provider.loading('big'), { bytesRead: 0, bytes: 0 }, 'not started');
  const seen: { bytesRead: number; bytes: number }[] = [];
  let done = false;
  const read = provider.listTags('big').finally(() => (done = true));
  // The read yields between chunks: progress is visible while it goes on.
  while (!done) {
    const progress = provider.loading('big');
    if (progress) seen.push(progress);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await read;
  assert.equal(provider.loading('big'), undefined, 'read once: nothing to wait for');
  const midway = seen.filter((p) => p.bytes === bytes && p.bytesRead > 0 && p.bytesRead < bytes);
  assert.ok(midway.length > 0, JSON.stringify(seen.slice(0, 5)));
  assert.ok(seen.every((p, i) => i === 0 || p.bytesRead >= seen[i - 1].bytesRead));
});
