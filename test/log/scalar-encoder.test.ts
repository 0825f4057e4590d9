/**
 * The hand-encoded scalar events against protobufjs's bytes, and held writes: one event per
 * step and wall time, read back the same by the provider and by the protobuf decoder.
 */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEvents } from '../../src/log/event-reader.js';
import { EventFileWriter } from '../../src/log/event-writer.js';
import { encodeEvent } from '../../src/log/proto.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { encodeRecord, scanRecords } from '../../src/log/record-format.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { readScalarValue, scalarSummaryValue } from '../../src/log/scalars.js';
import { TeeSink } from '../../src/probe/sink.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-scalar-encoder-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => path.join(tmp, `run${dirs++}`);

/** Bytes as a plain array: protobufjs returns a Buffer, the scan Uint8Array views. */
const bytesOf = (bytes: Uint8Array): number[] => [...bytes];

/** The file's records after its first (the file_version event). */
function recordsAfterVersion(file: string): Uint8Array[] {
  const scan = scanRecords(new Uint8Array(fs.readFileSync(file)));
  assert.deepEqual(scan.skipped, []);
  assert.equal(scan.stopped, undefined);
  return scan.records.slice(1).map((r) => r.data);
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array, label: string): void {
  assert.deepEqual(bytesOf(actual), bytesOf(expected), label);
}

const CASES: [string, number, number, number][] = [
  ['loss', 0.25, 0, 0],
  ['grad_norm/dense_1/kernel', NaN, 300, 1764590000.123],
  ['a', -Infinity, 2 ** 31 + 5, 1.5],
  ['é/ünïcode', 3e38, 2 ** 53 - 1, 2],
  ['negative_step', 1, -3, 7],
  [`long/${'x'.repeat(200)}`, 1e-30, 127, 0.5],
];

test('each scalar is written with the bytes protobufjs gives its event', () => {
  const file = new EventFileWriter(freshDir());
  for (const [tag, value, step, wallTime] of CASES) file.addScalar(tag, value, step, wallTime);
  file.close();
  const records = recordsAfterVersion(file.path);
  assert.equal(records.length, CASES.length);
  CASES.forEach(([tag, value, step, wallTime], k) => {
    const expected = encodeEvent({
      wallTime,
      step,
      summary: { value: [scalarSummaryValue(tag, value)] },
    });
    assertSameBytes(records[k], expected, tag);
  });
});

test('held scalars of one step and wall time become one event, as protobufjs encodes it', async () => {
  const dir = freshDir();
  const writer = new RunWriter(dir);
  writer.hold();
  writer.scalar('loss', 0.5, 10, 100);
  writer.scalar('grad_norm/d/kernel', 2, 10, 100);
  writer.scalar('nonfinite/loss', 0, 10, 100);
  writer.scalar('weight_norm/d/kernel', 3, 11, 100);
  writer.histogram('weights/d/kernel', [1, 2, 3], 11, { wallTime: 100 });
  writer.scalar('loss', 0.25, 11, 100);
  assert.equal(recordsAfterVersion(writer.path).length, 0, 'nothing written while held');
  writer.flush();
  writer.scalar('loss', 0.125, 12, 101);
  assert.equal(recordsAfterVersion(writer.path).length, 5, 'written as it comes after flush');
  writer.close();

  const records = recordsAfterVersion(writer.path);
  const event = (step: number, values: [string, number][]) =>
    encodeEvent({
      wallTime: step === 12 ? 101 : 100,
      step,
      summary: { value: values.map(([tag, v]) => scalarSummaryValue(tag, v)) },
    });
  const values10 = event(10, [
    ['loss', 0.5],
    ['grad_norm/d/kernel', 2],
    ['nonfinite/loss', 0],
  ]);
  assertSameBytes(records[0], values10, 'step 10');
  assertSameBytes(records[1], event(11, [['weight_norm/d/kernel', 3]]), 'step 11 weights');
  assertSameBytes(records[3], event(11, [['loss', 0.25]]), 'after the histogram');
  assertSameBytes(records[4], event(12, [['loss', 0.125]]), 'unheld');

  // The protobuf decoder (TensorBoard's reading) sees every value …
  const { events } = parseEvents(new Uint8Array(fs.readFileSync(writer.path)), 'f');
  const values = events.flatMap(({ event }) =>
    (event.summary?.value ?? []).map((v) => [event.step, v.tag, readScalarValue(v)]),
  );
  assert.deepEqual(values.slice(0, 3), [
    [10, 'loss', 0.5],
    [10, 'grad_norm/d/kernel', 2],
    [10, 'nonfinite/loss', 0],
  ]);
  // … and so does the provider.
  const provider = new DirectoryProvider(dir);
  const loss = await provider.readScalars('.', 'loss');
  assert.deepEqual(
    loss.map((p) => [p.step, p.value, p.wallTime]),
    [
      [10, 0.5, 100],
      [11, 0.25, 100],
      [12, 0.125, 101],
    ],
  );
  assert.equal((await provider.readHistograms('.', 'weights/d/kernel')).length, 1);
});

test('records framed in place equal encodeRecord of the event', () => {
  const file = new EventFileWriter(freshDir());
  file.addScalar('loss', 1, 5, 9);
  file.close();
  const bytes = new Uint8Array(fs.readFileSync(file.path));
  const scan = scanRecords(bytes);
  const last = scan.records[1];
  const framed = encodeRecord(last.data);
  assertSameBytes(bytes.subarray(last.offset, last.offset + framed.length), framed, 'record');
});

test('a held writer validates as it goes, and close writes what it held', () => {
  const file = new EventFileWriter(freshDir());
  file.hold();
  file.addScalar('loss', 1, 1, 1);
  assert.throws(() => file.addScalar('', 1, 1, 1), /tag must be a non-empty string/);
  assert.throws(
    () => file.addScalar('loss', 1, 1.5, 1),
    /step must be an integer. Received: step=1.5/,
  );
  file.close();
  assert.equal(recordsAfterVersion(file.path).length, 1);
  assert.throws(() => file.addScalar('loss', 1, 2, 1), /expected an open file, but it was closed/);
});

test('TeeSink passes hold and flush on to the sinks that have them', () => {
  const writer = new RunWriter(freshDir());
  const calls: string[] = [];
  const tee = new TeeSink([
    writer,
    { scalar: () => calls.push('scalar'), histogram: () => undefined },
  ]);
  tee.hold();
  tee.scalar('loss', 1, 0, 1);
  assert.equal(recordsAfterVersion(writer.path).length, 0);
  tee.flush();
  assert.equal(recordsAfterVersion(writer.path).length, 1);
  assert.deepEqual(calls, ['scalar']);
  writer.close();
});
