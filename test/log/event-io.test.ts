import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { parseEvents, readEventFile } from '../../src/log/event-reader.js';
import { EventFileWriter } from '../../src/log/event-writer.js';
import { histogramBuckets, readHistogramValue } from '../../src/log/histograms.js';
import { encodeEvent } from '../../src/log/proto.js';
import { encodeRecord } from '../../src/log/record-format.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { isScalarSummary, readScalarValue, scalarSummaryValue } from '../../src/log/scalars.js';
import { ascii, TF_EVENT_FILE, TF_RECORD_2_DATA } from './tf-event-fixture.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-log-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The wall time TensorFlow stored in the scalar event (bytes 1..8 of its payload).
const TF_WALL_TIME = Buffer.from(TF_RECORD_2_DATA.slice(1, 9)).readDoubleLE(0);

test('decodes the real TensorFlow event file to its scalar', () => {
  const { events, skipped, stopped } = parseEvents(TF_EVENT_FILE, 'tf');
  assert.deepEqual([skipped, stopped], [[], undefined]);
  assert.equal(events.length, 2);
  assert.equal(events[0].event.fileVersion, 'brain.Event:2');
  const { step, wallTime, summary } = events[1].event;
  assert.equal(step, 77);
  assert.equal(wallTime, TF_WALL_TIME);
  assert.ok(TF_WALL_TIME > 1.5e9 && TF_WALL_TIME < 1.7e9); // a date around 2020
  const value = summary?.value?.[0] ?? {};
  assert.equal(value.tag, 'accuracy');
  assert.ok(isScalarSummary(value));
  assert.equal(readScalarValue(value), Math.fround(0.99));
});

test("our scalar event is TensorFlow's plus data_class, byte for byte", () => {
  const ours = encodeEvent({
    wallTime: TF_WALL_TIME,
    step: 77,
    summary: { value: [scalarSummaryValue('accuracy', 0.99)] },
  });
  // TensorFlow's payload with `data_class: DATA_CLASS_SCALAR` (field 4, varint 1 = 0x20 0x01)
  // appended to the metadata, and the three enclosing lengths grown by 2.
  const expected = [
    ...TF_RECORD_2_DATA.slice(0, 11),
    ...[0x2a, 0x27, 0x0a, 0x25, 0x0a, 0x08, ...ascii('accuracy')],
    ...[0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f],
    ...[0x4a, 0x0d, 0x0a, 0x09, 0x0a, 0x07, ...ascii('scalars'), 0x20, 0x01],
  ];
  assert.deepEqual([...ours], expected);
});

test('our histogram event has the fields TensorBoard expects', () => {
  const buckets = [
    { left: -1, right: 0.5, count: 3 },
    { left: 0.5, right: 2, count: 1 },
  ];
  const writer = new RunWriter(path.join(tmp, 'histogram-bytes'));
  writer.histogram('w', buckets, 5, { wallTime: 12.5 });
  writer.close();
  const bytes = fs.readFileSync(writer.path);
  const records = parseEvents(bytes, 'h').events;
  const ours = encodeEvent(records[1].event);
  // Built field by field from TensorBoard's .proto files, independently of src/log/proto.ts.
  const content = new Uint8Array(48);
  const view = new DataView(content.buffer);
  [-1, 0.5, 3, 0.5, 2, 1].forEach((v, i) => view.setFloat64(8 * i, v, true));
  const shape = protobuf.Writer.create();
  for (const size of [2, 3]) shape.uint32(0x12).fork().uint32(0x08).int64(size).ldelim();
  const w = protobuf.Writer.create();
  w.uint32(0x09).double(12.5).uint32(0x10).int64(5); // Event.wall_time = 1, step = 2
  w.uint32(0x2a).fork().uint32(0x0a).fork(); // Event.summary = 5, Summary.value = 1
  w.uint32(0x0a).string('w'); // Value.tag = 1
  w.uint32(0x42).fork().uint32(0x08).int32(2); // Value.tensor = 8, dtype = 2 (DT_DOUBLE)
  w.uint32(0x12).bytes(shape.finish()).uint32(0x22).bytes(content).ldelim(); // shape 2, content 4
  w.uint32(0x4a).fork().uint32(0x0a).fork().uint32(0x0a).string('histograms').ldelim();
  w.uint32(0x20).int32(2).ldelim(); // metadata 9: plugin_data 1 {plugin_name 1}, data_class 4
  w.ldelim().ldelim();
  assert.deepEqual([...ours], [...w.finish()]);
  assert.deepEqual(readHistogramValue(records[1].event.summary?.value?.[0] ?? {}), buckets);
});

test('scalars round-trip as float32', async () => {
  const writer = new RunWriter(path.join(tmp, 'scalars'));
  const values = [0.1, -3.5, 1e-8, 123456.789, 0, NaN, Infinity, -Infinity];
  values.forEach((v, step) => writer.scalar('loss', v, step, 1000 + step));
  writer.close();
  const { events, warnings } = await readEventFile(writer.path);
  assert.deepEqual(warnings, []);
  assert.equal(events[0].fileVersion, 'brain.Event:2');
  const read = events.slice(1).map((e) => readScalarValue(e.summary?.value?.[0] ?? {}));
  assert.deepEqual(read, values.map(Math.fround));
  assert.deepEqual(
    events.slice(1).map((e) => [e.step ?? 0, e.wallTime]),
    values.map((_, step) => [step, 1000 + step]),
  );
});

test('histograms round-trip exactly, from raw values or buckets', async () => {
  const writer = new RunWriter(path.join(tmp, 'histograms'));
  const weights = Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i) * (i % 7));
  weights[3] = NaN;
  assert.equal(writer.histogram('weights', weights, 1, { bucketCount: 12 }), 1);
  const buckets = [{ left: Math.PI, right: Math.E * 2, count: 7 }];
  assert.equal(writer.histogram('given', buckets, 2), 0);
  writer.histogram('empty', [], 3, { bucketCount: 4 });
  writer.close();
  const { events } = await readEventFile(writer.path);
  const read = events.slice(1).map((e) => readHistogramValue(e.summary?.value?.[0] ?? {}));
  assert.deepEqual(read[0], histogramBuckets(weights, 12));
  assert.equal(
    read[0]?.reduce((sum, b) => sum + b.count, 0),
    999,
  );
  assert.deepEqual(read[1], buckets);
  assert.deepEqual(read[2], histogramBuckets([], 4));
});

test('reads the legacy simple_value and HistogramProto forms', () => {
  // Written field by field as TensorFlow 1.x, PyTorch and tensorboardX do (summary.proto:
  // Value.simple_value = 2 float, Value.histo = 5; histogram.proto: min 1, max 2, num 3,
  // bucket_limit 6 and bucket 7 packed doubles).
  const scalar = protobuf.Writer.create().uint32(0x09).double(7).uint32(0x10).int64(3);
  scalar.uint32(0x2a).fork().uint32(0x0a).fork().uint32(0x0a).string('loss');
  scalar.uint32(0x15).float(0.25).ldelim().ldelim();
  const histo = protobuf.Writer.create().uint32(0x09).double(-0.5).uint32(0x11).double(2.5);
  histo.uint32(0x19).double(10).uint32(0x32).fork();
  [-1, 0, 1, 2, 3, 4].forEach((limit) => histo.double(limit));
  histo.ldelim().uint32(0x3a).fork();
  [0, 3, 0, 5, 2, 0].forEach((count) => histo.double(count));
  histo.ldelim();
  const histogram = protobuf.Writer.create().uint32(0x09).double(8).uint32(0x10).int64(4);
  histogram.uint32(0x2a).fork().uint32(0x0a).fork().uint32(0x0a).string('w');
  histogram.uint32(0x2a).bytes(histo.finish()).ldelim().ldelim();
  const bytes = Uint8Array.from([
    ...encodeRecord(scalar.finish()),
    ...encodeRecord(histogram.finish()),
  ]);
  const [first, second] = parseEvents(bytes, 'legacy').events.map((r) => r.event);
  assert.equal(first.step, 3);
  assert.equal(readScalarValue(first.summary?.value?.[0] ?? {}), 0.25);
  assert.equal(second.step, 4);
  assert.deepEqual(readHistogramValue(second.summary?.value?.[0] ?? {}), [
    { left: -0.5, right: 0, count: 3 },
    { left: 0, right: 1, count: 0 },
    { left: 1, right: 2, count: 5 },
    { left: 2, right: 2.5, count: 2 },
  ]);
});

test('a record that is not an Event is skipped with a warning', () => {
  const junk = encodeRecord(Uint8Array.from([0xff, 0xff, 0xff]));
  const good = encodeRecord(encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' }));
  const { events, skipped } = parseEvents(Uint8Array.from([...junk, ...good]), 'f');
  assert.equal(events.length, 1);
  assert.equal(events[0].offset, junk.length);
  assert.equal(skipped[0].offset, 0);
  assert.match(skipped[0].message, /not an Event protobuf/);
});

test('the writer validates its input and refuses writes after close', () => {
  const writer = new EventFileWriter(path.join(tmp, 'validation'));
  assert.throws(() => writer.addSummary([scalarSummaryValue('x', 1)], 1.5), {
    message: 'EventFileWriter: step must be an integer. Received: step=1.5',
  });
  assert.throws(() => writer.addSummary([scalarSummaryValue('', 1)], 1), {
    message: 'EventFileWriter: tag must be a non-empty string. Received: tag=""',
  });
  writer.close();
  writer.close();
  assert.throws(() => writer.addSummary([scalarSummaryValue('x', 1)], 1), /was closed/);
});

test('an empty file reads as zero events', async () => {
  const empty = path.join(tmp, 'events.out.tfevents.0.empty');
  fs.writeFileSync(empty, '');
  assert.deepEqual(await readEventFile(empty), { events: [], warnings: [] });
});
