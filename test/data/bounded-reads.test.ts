import test from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/data/errors.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile } from '../../src/data/idx.js';
import { loadTitanic, parseTitanic } from '../../src/data/titanic.js';
import { QUOTE_MAX, clip, quote } from '../../src/engine/quote.js';
import { idxBytes, tempDir, writeSyntheticFashionMnist } from './idx-fixtures.js';

const MB = 2 ** 20;
/** A hang would otherwise stall the suite: before the fix, /dev/zero was read for ever. */
const HANG = { timeout: 20_000 };

async function rejectsWith(load: () => unknown, message: RegExp): Promise<DataError> {
  let caught: unknown;
  await assert.rejects(
    async () => load(),
    (error: unknown) => {
      caught = error;
      return error instanceof DataError && message.test(error.message);
    },
  );
  return caught as DataError;
}

test('a gzip that inflates far past its header stops at the cap, in bounded memory', async () => {
  // 5 labels, then 96 gzip members of 1 MiB of zeros each: 100 KB that inflate to 96 MiB.
  const zeros = gzipSync(Buffer.alloc(MB));
  const bomb = Buffer.concat([
    gzipSync(idxBytes([5], Uint8Array.of(0, 1, 2, 3, 4))),
    ...Array.from({ length: 96 }, () => zeros),
  ]);
  assert.ok(bomb.length < 200_000);
  const path = join(tempDir(), 'train-labels-idx1-ubyte.gz');
  writeFileSync(path, bomb);
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const error = await rejectsWith(
    () => readIdxFile(path, { magic: IDX_LABELS_MAGIC, content: 'labels' }),
    /train-labels-idx1-ubyte\.gz: larger than its header says: header says 5 = 5 bytes of labels/,
  );
  const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;
  // Reading stopped within a few chunks of the declared 13 bytes, not after 96 MiB.
  const stoppedAt = Number(/past (\d+) bytes/.exec(error.message)?.[1]);
  assert.ok(stoppedAt > 13 && stoppedAt <= 2 * MB, `stopped after ${stoppedAt} bytes`);
  assert.ok(peakGrowth < 48 * MB, `peak RSS grew by ${(peakGrowth / MB).toFixed(1)} MiB`);
});

test('a gzip header that declares more than the file can inflate to is refused at once', async () => {
  const path = join(tempDir(), 'images.gz');
  // Claims 100,000 images (78 MB) in a file of a few hundred bytes.
  writeFileSync(path, gzipSync(idxBytes([100_000, 28, 28], new Uint8Array(784))));
  await rejectsWith(
    () => readIdxFile(path, { magic: IDX_IMAGES_MAGIC, content: 'pixels' }),
    /images\.gz: truncated: header says 100000×28×28 = 78400000 bytes of pixels, more than a gzip file of \d+ bytes can hold/,
  );
});

test('the data bytes go into the array `allocate` makes', async () => {
  const path = join(tempDir(), 'labels');
  writeFileSync(path, idxBytes([3], Uint8Array.of(7, 8, 9)));
  const made: Uint8Array[] = [];
  const { data } = await readIdxFile(path, {
    magic: IDX_LABELS_MAGIC,
    allocate: (bytes) => {
      made.push(new Uint8Array(new SharedArrayBuffer(bytes)));
      return made[0];
    },
  });
  assert.equal(data, made[0]);
  assert.deepEqual(Array.from(data), [7, 8, 9]);
  const data2 = await loadFashionMnist({ dir: writeSyntheticFashionMnist(true), shared: true });
  for (const set of [data2.train, data2.test]) {
    assert.ok(set.images.buffer instanceof SharedArrayBuffer);
    assert.ok(set.labels.buffer instanceof SharedArrayBuffer);
  }
});

test('/dev/zero, or an IDX or CSV file symlinked to it, is refused at once', HANG, async () => {
  await rejectsWith(
    () => readIdxFile('/dev/zero', { magic: IDX_LABELS_MAGIC }),
    /^\/dev\/zero: cannot read the IDX file: expected a regular file, found a character device/,
  );
  const dir = writeSyntheticFashionMnist(false);
  const labels = join(dir, 'train-labels-idx1-ubyte');
  rmSync(labels);
  symlinkSync('/dev/zero', labels);
  // Read here, or in the reader thread (`shared`), which passes the DataError on.
  for (const shared of [false, true]) {
    await rejectsWith(
      () => loadFashionMnist({ dir, shared }),
      /train-labels-idx1-ubyte: cannot read the IDX file: expected a regular file, found a character device\n[^]*dataset-fashion-mnist/,
    );
  }
  const csv = join(tempDir(), 'train.csv');
  symlinkSync('/dev/zero', csv);
  for (const path of ['/dev/zero', csv]) {
    assert.throws(
      () => loadTitanic(path),
      (error: unknown) =>
        error instanceof DataError &&
        error.message ===
          `${path}: cannot read the Titanic data: expected a regular file, found a character device`,
    );
  }
  assert.throws(() => loadTitanic(tempDir()), /cannot read the Titanic data: .*found a directory/);
});

test('error messages quote at most about 200 characters of the data', HANG, () => {
  const header = 'PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked';
  const hugeHeader = `${'x'.repeat(4 * MB)},y`;
  const cases: [string, RegExp][] = [
    // A 4 MB one-line file: the header is all there is.
    [hugeHeader, /^t\.csv: missing columns PassengerId, .*\. Found: x{200}… \(\d+ characters\)$/],
    [
      `${header}\n1,0,3,"Braund",male,${'9'.repeat(MB)}x,1,0,A/5,7.25,,S\n`,
      /^t\.csv: line 2, column Age: expected a non-negative number\. Received: '9{200}'… \(1048577 characters\)$/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseTitanic(text, 't.csv'),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.match(error.message, message);
        assert.ok(error.message.length < 2 * QUOTE_MAX + 200, `${error.message.length} characters`);
        return true;
      },
    );
  }
});

test('quoted values show invisible characters as escapes and never split a character', () => {
  assert.equal(quote('\ufeffAge\t1\n'), "'\\ufeffAge\\t1\\n'");
  assert.equal(clip('a\u0000b'), 'a\\u0000b');
  const emoji = `${'a'.repeat(QUOTE_MAX - 1)}😀tail`;
  assert.equal(clip(emoji), `${'a'.repeat(QUOTE_MAX - 1)}… (${emoji.length} characters)`);
  assert.equal(quote('short'), "'short'");
});
