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

/** Protobuf wire pieces, for events in layouts protobufjs never writes. */
const wire = {
  varint(value: bigint): number[] {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, value);
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      bytes.push(v > 0n ? byte | 0x80 : byte);
    } while (v > 0n);
    return bytes;
  },
  field(key: number, bytes: number[]): number[] {
    return [key, ...wire.varint(BigInt(bytes.length)), ...bytes];
  },
  double(key: number, x: number): number[] {
    return [key, ...new Uint8Array(Float64Array.of(x).buffer)];
  },
  float(key: number, x: number): number[] {
    return [key, ...new Uint8Array(Float32Array.of(x).buffer)];
  },
  text: (s: string) => [...new TextEncoder().encode(s)],
};
/** TensorFlow's rank-0 DT_FLOAT tensor of `x`, and a scalars plugin's metadata. */
const tensorOf = (x: number) =>
  wire.field(0x42, [8, 1, 0x12, 0, 0x22, 4, ...wire.float(0, x).slice(1)]);
const scalarsMetadata = wire.field(0x4a, wire.field(0x0a, wire.field(0x0a, wire.text('scalars'))));

test('scalar events in any field order and edge values read as protobufjs decodes them', async () => {
  const dir = path.join(tmp, 'layouts');
  fs.mkdirSync(dir);
  const tag = (name: string) => wire.field(0x0a, wire.text(name));
  const step = (s: bigint) => [0x10, ...wire.varint(s)];
  const events: number[][] = [];
  const steps = [0n, 1n, 127n, 128n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 53n + 2n, -5n];
  for (const [i, s] of steps.entries()) {
    const values = [
      [...tag('pytorch'), ...wire.float(0x15, i + 0.5)], // PyTorch's order
      [...wire.float(0x15, -i), ...scalarsMetadata, ...tag('reversed')],
      [...tag('tensor'), ...tensorOf(i * 3), ...scalarsMetadata],
      [...scalarsMetadata, ...tensorOf(i === 3 ? NaN : i / 7), ...tag('tensor_first')],
      [...tag('twice'), ...tag('twice'), ...wire.float(0x15, i)], // the last tag counts
      [...tag('node'), ...wire.field(0x3a, wire.text('op')), ...wire.float(0x15, i)], // node_name
    ];
    for (const [k, value] of values.entries()) {
      const summary = wire.field(0x2a, wire.field(0x0a, value));
      const wallTime = wire.double(0x09, 1e9 + i);
      const withStep = s === 0n && k % 2 === 0 ? [] : step(s); // proto3 leaves a zero step out
      const layouts = [
        [...wallTime, ...withStep, ...summary],
        [...summary, ...withStep, ...wallTime],
        [...withStep, ...wire.double(0x09, 5), ...summary, ...wallTime], // the last wall time
      ];
      events.push(layouts[(i + k) % 3]);
    }
    // Two values in one event, and a summary holding something besides its value.
    const two = [...wire.field(0x0a, [...tag('pair_a'), ...wire.float(0x15, i)])];
    two.push(...wire.field(0x0a, [...tag('pair_b'), ...wire.float(0x15, -i)]));
    events.push([...wire.double(0x09, 2e9), ...step(s), ...wire.field(0x2a, two)]);
  }
  const bytes = Uint8Array.from(events.flatMap((e) => [...encodeRecord(Uint8Array.from(e))]));
  fs.writeFileSync(path.join(dir, 'events.out.tfevents.1.h'), bytes);
  const expected = new Map<string, { step: number; wallTime: number; value: number }[]>();
  for (const { event } of parseEvents(bytes, 'x').events) {
    for (const value of event.summary?.value ?? []) {
      const points = expected.get(value.tag!) ?? [];
      points.push({
        step: event.step ?? 0,
        wallTime: event.wallTime!,
        value: readScalarValue(value)!,
      });
      expected.set(value.tag!, points);
    }
  }
  assert.equal(expected.get('pytorch')?.length, steps.length);
  const index = new RunIndex(dir, '.');
  await index.refresh();
  assert.deepEqual(index.warnings(), []);
  assert.deepEqual(index.tags().scalars, [...expected.keys()].sort());
  for (const [name, points] of expected) {
    const read = index
      .scalars(name)
      .map(({ step, wallTime, value }) => ({ step, wallTime, value }));
    assert.deepEqual(read, points, name);
  }
});
