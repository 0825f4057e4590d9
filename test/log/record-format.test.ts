import test from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '@aws-crypto/crc32c';
import { encodeRecord, maskedCrc32c, scanRecords } from '../../src/log/record-format.js';
import {
  ascii,
  TF_EVENT_FILE,
  TF_RECORD_1,
  TF_RECORD_1_DATA,
  TF_RECORD_2,
  TF_RECORD_2_DATA,
} from './tf-event-fixture.js';

test('crc32c matches the published check values', () => {
  // "123456789" is the CRC catalogue's check input; the 32-byte vectors are from RFC 3720 B.4.
  assert.equal(crc32c(Uint8Array.from(ascii('123456789'))), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
});

test('maskedCrc32c matches the CRCs TensorFlow stored', () => {
  // tf_record.rs: the masked CRC of the length 24 as uint64 LE is 0x224b7fa3.
  assert.equal(maskedCrc32c(Uint8Array.from([24, 0, 0, 0, 0, 0, 0, 0])), 0x224b7fa3);
  assert.equal(maskedCrc32c(Uint8Array.from(TF_RECORD_1_DATA)), 0xab364b12);
  assert.equal(maskedCrc32c(Uint8Array.from(TF_RECORD_2_DATA)), 0x33645ba5);
});

test('framing the TensorFlow payloads gives the identical bytes', () => {
  assert.deepEqual([...encodeRecord(Uint8Array.from(TF_RECORD_1_DATA))], TF_RECORD_1);
  assert.deepEqual([...encodeRecord(Uint8Array.from(TF_RECORD_2_DATA))], TF_RECORD_2);
});

test('scanning the TensorFlow file finds its two records', () => {
  const scan = scanRecords(TF_EVENT_FILE);
  assert.deepEqual(
    scan.records.map((r) => [r.offset, [...r.data]]),
    [
      [0, TF_RECORD_1_DATA],
      [TF_RECORD_1.length, TF_RECORD_2_DATA],
    ],
  );
  assert.equal(scan.stopped, undefined);
  assert.deepEqual(scan.skipped, []);
  assert.equal(scan.end, TF_EVENT_FILE.length);
});

test('an empty file holds zero records', () => {
  assert.deepEqual(scanRecords(new Uint8Array(0)), { records: [], skipped: [], end: 0 });
});

const payloads = [ascii('first'), ascii('the second record'), ascii('3')];
const records = payloads.map((p) => encodeRecord(Uint8Array.from(p)));
const starts = records.map((_, i) => records.slice(0, i).reduce((sum, r) => sum + r.length, 0));
const file = Uint8Array.from(records.flatMap((r) => [...r]));

test('a file cut at every byte keeps the whole records before the cut', () => {
  for (let cut = 0; cut <= file.length; cut++) {
    const scan = scanRecords(file.subarray(0, cut));
    const whole = starts.filter((start, i) => start + records[i].length <= cut).length;
    assert.deepEqual(
      scan.records.map((r) => [...r.data]),
      payloads.slice(0, whole),
      `cut at ${cut}`,
    );
    const boundary = cut === file.length || starts.includes(cut);
    if (boundary) {
      assert.equal(scan.stopped, undefined, `cut at ${cut}`);
    } else {
      assert.equal(scan.stopped?.offset, starts[whole], `cut at ${cut}`);
      assert.match(scan.stopped?.message ?? '', /^truncated record/);
    }
    assert.equal(scan.end, whole === 3 ? file.length : starts[whole]);
  }
});

function flipped(offset: number): Uint8Array {
  const copy = file.slice();
  copy[offset] ^= 0x10;
  return copy;
}

test('a bad length CRC stops the scan at that record', () => {
  for (const offset of [starts[1], starts[1] + 9]) {
    const scan = scanRecords(flipped(offset)); // a length byte, then a length-CRC byte
    assert.deepEqual(
      scan.records.map((r) => [...r.data]),
      [payloads[0]],
    );
    assert.equal(scan.stopped?.offset, starts[1]);
    assert.match(scan.stopped?.message ?? '', /bad length CRC/);
  }
});

test('a bad data CRC skips that record only', () => {
  const dataByte = starts[1] + 12 + 3;
  const footerByte = starts[1] + records[1].length - 1;
  for (const offset of [dataByte, footerByte]) {
    const scan = scanRecords(flipped(offset));
    assert.deepEqual(
      scan.records.map((r) => [...r.data]),
      [payloads[0], payloads[2]],
    );
    assert.deepEqual(
      scan.skipped.map((p) => p.offset),
      [starts[1]],
    );
    assert.match(scan.skipped[0].message, /bad data CRC/);
    assert.equal(scan.stopped, undefined);
  }
});

test('offsets are file offsets when scanning resumes mid-file', () => {
  const scan = scanRecords(file.subarray(starts[1]), starts[1]);
  assert.deepEqual(
    scan.records.map((r) => r.offset),
    starts.slice(1),
  );
  assert.equal(scan.end, file.length);
});

test('damage among many small records skips exactly the damaged ones', () => {
  const records = Array.from({ length: 400 }, (_, i) =>
    encodeRecord(Uint8Array.from({ length: 40 + (i % 37) }, (_, k) => (i * 31 + k * 7) & 255)),
  );
  const file = new Uint8Array(records.reduce((sum, r) => sum + r.length, 0));
  const offsets: number[] = [];
  records.reduce((at, r) => (offsets.push(at), file.set(r, at), at + r.length), 0);
  const intact = scanRecords(file);
  assert.deepEqual(intact.skipped, []);
  assert.deepEqual(
    intact.records.map((r) => r.offset),
    offsets,
  );
  assert.deepEqual([...intact.records[123].data], [...records[123].subarray(12, -4)]);
  for (const damaged of [[57], [3, 250], [0, 399], [100, 101, 102]]) {
    const copy = file.slice();
    for (const i of damaged) copy[offsets[i] + 12 + (i % 40)] ^= 0x10; // one data bit
    const scan = scanRecords(copy);
    assert.deepEqual(
      scan.skipped.map((p) => p.offset),
      damaged.map((i) => offsets[i]),
    );
    assert.deepEqual(
      scan.records.map((r) => r.offset),
      offsets.filter((_, i) => !damaged.includes(i)),
    );
  }
  // A damaged stored CRC, not data, is caught too.
  const copy = file.slice();
  copy[offsets[200] + records[200].length - 1] ^= 1;
  assert.deepEqual(
    scanRecords(copy).skipped.map((p) => p.offset),
    [offsets[200]],
  );
});

test('records across check windows, longer than a window, damaged at a window edge: as a plain scan finds them', () => {
  // Sizes that put record boundaries on both sides of each 256 KiB window edge, and one record
  // (the 700th) longer than a window, which is checked outside the bulk path.
  const sizes = Array.from({ length: 1500 }, (_, i) =>
    i === 700 ? (300 << 10) + 5 : 200 + ((i * 97) % 900),
  );
  const records = sizes.map((size, i) =>
    encodeRecord(Uint8Array.from({ length: size }, (_, k) => (i * 13 + k * 5) & 255)),
  );
  const file = new Uint8Array(records.reduce((sum, r) => sum + r.length, 0));
  const offsets: number[] = [];
  records.reduce((at, r) => (offsets.push(at), file.set(r, at), at + r.length), 0);
  const edge = offsets.findIndex((at, i) => at < 256 << 10 && at + records[i].length > 256 << 10);
  for (const damaged of [[], [edge], [edge - 1, edge + 1], [700], [699, 701, 1499]]) {
    const copy = file.slice();
    for (const i of damaged) copy[offsets[i] + 12 + (i % 100)] ^= 0x40;
    const scan = scanRecords(copy);
    assert.deepEqual(
      scan.skipped.map((p) => p.offset),
      damaged.map((i) => offsets[i]),
    );
    const kept = offsets.filter((_, i) => !damaged.includes(i));
    assert.deepEqual(
      scan.records.map((r) => r.offset),
      kept,
    );
    const sample = kept.indexOf(offsets[700]) >= 0 ? 700 : 702;
    const found = scan.records.find((r) => r.offset === offsets[sample])!;
    assert.equal(crc32c(found.data), crc32c(records[sample].subarray(12, -4)));
    assert.equal(scan.end, file.length);
  }
  // A bad length CRC past the first window stops the scan exactly there.
  const copy = file.slice();
  copy[offsets[edge + 3] + 9] ^= 1;
  const scan = scanRecords(copy);
  assert.equal(scan.records.length, edge + 3);
  assert.equal(scan.stopped?.offset, offsets[edge + 3]);
  assert.match(scan.stopped?.message ?? '', /bad length CRC/);
  assert.equal(scan.end, offsets[edge + 3]);
});
