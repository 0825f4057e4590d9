/** The index's own decoder reads what protobufjs reads, whatever the chunking. */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32c as referenceCrc32c } from '@aws-crypto/crc32c';
import { crc32c } from '../../src/log/crc32c.js';
import { parseEvents } from '../../src/log/event-reader.js';
import { histogramSummaryValue, readHistogramValue } from '../../src/log/histograms.js';
import { encodeEvent, type EventMessage, type SummaryValueMessage } from '../../src/log/proto.js';
import { encodeRecord } from '../../src/log/record-format.js';
import { RunIndex } from '../../src/log/run-index.js';
import { ScalarColumnBuilder } from '../../src/log/scalar-columns.js';
import { readScalarValue, scalarSummaryValue } from '../../src/log/scalars.js';
import { readTextValue, textSummaryValue } from '../../src/log/text.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-fast-reader-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('crc32c agrees with @aws-crypto/crc32c on every length, both code paths', () => {
  const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 24);
  for (const length of [0, 1, 7, 8, 9, 63, 2047, 2048, 4990]) {
    for (const start of [0, 3]) {
      const slice = bytes.subarray(start, start + length);
      assert.equal(crc32c(bytes, start, start + length), referenceCrc32c(slice), `${length}`);
    }
  }
});

/** A run in every value form the reader knows, with the tags in a known order. */
function mixedEvents(): EventMessage[] {
  const events: EventMessage[] = [{ wallTime: 1, fileVersion: 'brain.Event:2' }];
  for (let step = 0; step < 40; step++) {
    const values: SummaryValueMessage[] = [
      scalarSummaryValue('loss', 1 / (step + 1)),
      { tag: 'legacy/π', simpleValue: step === 7 ? NaN : step * 0.5 },
      {
        tag: 'double',
        tensor: { dtype: 2, tensorShape: {}, doubleVal: [step / 3] },
        metadata: { pluginData: { pluginName: 'scalars' } },
      },
      histogramSummaryValue('weights/0.weight', [{ left: step, right: step + 1, count: 3 }]),
      {
        tag: 'gradients/fc1.bias',
        histo: { min: -1, max: step, num: 4, bucketLimit: [0, step + 1], bucket: [1, 3] },
      },
    ];
    if (step % 10 === 0) values.push(textSummaryValue('verdicts', `step ${step} ‖g‖`));
    // Large records exercise the native CRC and records longer than a chunk.
    if (step === 20) values.push(textSummaryValue('big', 'x'.repeat(5000)));
    events.push({
      wallTime: 100 + step,
      step: step === 39 ? 2 ** 40 : step,
      summary: { value: values },
    });
  }
  return events;
}

test('the index reads what protobufjs decodes, in chunks smaller than a record', async () => {
  const dir = path.join(tmp, 'mixed');
  fs.mkdirSync(dir);
  const bytes = Uint8Array.from(mixedEvents().flatMap((e) => [...encodeRecord(encodeEvent(e))]));
  fs.writeFileSync(path.join(dir, 'events.out.tfevents.1.h'), bytes);
  const expected = new Map<string, unknown[]>();
  for (const { event } of parseEvents(bytes, 'x').events) {
    for (const value of event.summary?.value ?? []) {
      const read =
        readTextValue(value) ?? readHistogramValue(value) ?? readScalarValue(value) ?? null;
      const points = expected.get(value.tag ?? '') ?? [];
      points.push({ step: event.step ?? 0, wallTime: event.wallTime, read });
      expected.set(value.tag ?? '', points);
    }
  }
  // 1000 and 16384: chunks read ahead, over or short of the record cut by the chunk's end.
  for (const chunkBytes of [64, 1000, 16384, 1 << 20]) {
    const index = new RunIndex(dir, '.', chunkBytes);
    await index.refresh();
    assert.deepEqual(index.warnings(), []);
    const tags = index.tags();
    assert.deepEqual(tags.order, [
      'loss',
      'legacy/π',
      'double',
      'weights/0.weight',
      'gradients/fc1.bias',
      'verdicts',
      'big',
    ]);
    assert.deepEqual(tags.scalars, ['double', 'legacy/π', 'loss']);
    for (const tag of tags.scalars) {
      const read = index
        .scalars(tag)
        .map((p) => ({ step: p.step, wallTime: p.wallTime, read: p.value }));
      assert.deepEqual(read, expected.get(tag), `${tag} in chunks of ${chunkBytes}`);
    }
    for (const tag of tags.histograms) {
      const read = index
        .histograms(tag)
        .map((p) => ({ step: p.step, wallTime: p.wallTime, read: p.buckets }));
      assert.deepEqual(read, expected.get(tag), tag);
    }
    for (const tag of tags.texts) {
      const read = index
        .texts(tag)
        .map((p) => ({ step: p.step, wallTime: p.wallTime, read: p.text }));
      assert.deepEqual(read, expected.get(tag), tag);
    }
  }
});

test('tag order runs across files in name order, each tag once', async () => {
  const dir = path.join(tmp, 'order');
  fs.mkdirSync(dir);
  const write = (name: string, tags: string[]): void => {
    const events = tags.map((tag, step) => ({
      step,
      summary: { value: [scalarSummaryValue(tag, 1)] },
    }));
    fs.writeFileSync(
      path.join(dir, name),
      Uint8Array.from(events.flatMap((e) => [...encodeRecord(encodeEvent(e))])),
    );
  };
  write('events.out.tfevents.2.h', ['c', 'a', 'd']);
  write('events.out.tfevents.1.h', ['b', 'a']);
  const index = new RunIndex(dir, '.');
  await index.refresh();
  assert.deepEqual(index.tags().order, ['b', 'a', 'c', 'd']);
});

test('a valid record whose bytes are not an Event is skipped with its offset', async () => {
  const dir = path.join(tmp, 'junk');
  fs.mkdirSync(dir);
  const good = encodeRecord(
    encodeEvent({ step: 4, summary: { value: [scalarSummaryValue('x', 2)] } }),
  );
  const junk = encodeRecord(Uint8Array.from([0x0a, 0x7f, 0x01]));
  fs.writeFileSync(path.join(dir, 'events.out.tfevents.1.h'), Uint8Array.from([...junk, ...good]));
  const index = new RunIndex(dir, '.');
  await index.refresh();
  assert.deepEqual(
    index.scalars('x').map((p) => p.step),
    [4],
  );
  const [warning] = index.warnings();
  assert.equal(warning.offset, 0);
  assert.match(warning.message, /not an Event protobuf/);
});

test('columns keep their points through a reservation and grow past it', () => {
  const builder = new ScalarColumnBuilder();
  for (let i = 0; i < 20; i++) builder.push(i, 100 + i, i / 4);
  const before = builder.columns();
  builder.reserve(1000);
  builder.reserve(10); // smaller than what it holds: nothing changes
  for (let i = 20; i < 1500; i++) builder.push(i, 100 + i, i / 4);
  const { steps, wallTimes, values } = builder.columns();
  assert.equal(steps.length, 1500);
  assert.deepEqual(
    [...steps],
    Array.from({ length: 1500 }, (_, i) => i),
  );
  assert.deepEqual([...wallTimes.subarray(1495)], [1595, 1596, 1597, 1598, 1599]);
  assert.equal(values[1499], 1499 / 4);
  assert.deepEqual(
    [...before.steps],
    Array.from({ length: 20 }, (_, i) => i),
  );
});
