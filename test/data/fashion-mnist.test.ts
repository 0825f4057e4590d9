import test from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/data/errors.js';
import {
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_ENV,
  findFashionMnistDir,
  gatherImageBatch,
  loadFashionMnist,
} from '../../src/data/fashion-mnist.js';
import { idxBytes, syntheticSet, tempDir, writeSyntheticFashionMnist } from './idx-fixtures.js';
import { imageDataset } from '../../src/data/image-dataset.js';
import { gatherLabels } from '../../src/engine/dataset.js';

delete process.env[FASHION_MNIST_ENV];

for (const gzip of [true, false]) {
  test(`loads synthetic ${gzip ? 'gzip' : 'plain'} IDX files byte for byte`, async () => {
    const dir = writeSyntheticFashionMnist(gzip);
    const data = await loadFashionMnist({ dir });
    for (const [set, count] of [
      [data.train, 5],
      [data.test, 3],
    ] as const) {
      const expected = syntheticSet(count);
      assert.equal(set.count, count);
      assert.equal(set.rows, 28);
      assert.equal(set.cols, 28);
      assert.deepEqual(set.images, expected.images);
      assert.deepEqual(set.labels, expected.labels);
    }
  });
}

test('gathers batches as pixel / 255 float32 rows and labels in index order', async () => {
  const { train } = await loadFashionMnist({ dir: writeSyntheticFashionMnist(true) });
  const out = new Float32Array(2 * 784).fill(-1);
  gatherImageBatch(train, [4, 1, 3], 1, 2, out);
  for (let p = 0; p < 784; p++) {
    // Images 1 and 3 of the fixture: pixel p is (7·i + p) mod 256.
    assert.equal(out[p], Math.fround(((7 + p) % 256) / 255));
    assert.equal(out[784 + p], Math.fround(((21 + p) % 256) / 255));
  }
  assert.equal(out[248], 1); // (7 + 248) mod 256 = 255
  assert.equal(out[249], 0);
  const labels = new Float32Array(3);
  gatherLabels(imageDataset(train), [4, 1, 3], 0, 3, labels);
  assert.deepEqual(Array.from(labels), [4, 1, 3]);

  assert.throws(() => gatherImageBatch(train, [0, 5], 0, 2, out), /indices\[1\]=5/);
  assert.throws(() => gatherImageBatch(train, [0], 0, 2, out), /at most indices\.length=1/);
});

/** A valid plain layout in which `file` is replaced by `bytes`. */
function layoutWith(file: string, bytes: Buffer): string {
  const dir = writeSyntheticFashionMnist(false);
  writeFileSync(join(dir, file), bytes);
  return dir;
}

async function assertDataError(load: () => unknown, message: RegExp): Promise<void> {
  await assert.rejects(
    async () => load(),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
      assert.match(error.message, message);
      assert.match(error.message, /dataset-fashion-mnist/); // says how to get the data
      return true;
    },
  );
}

test('malformed files give errors naming the file and the problem', async () => {
  const { images, labels } = syntheticSet(5);
  await assertDataError(
    () =>
      loadFashionMnist({
        dir: layoutWith('train-images-idx3-ubyte', idxBytes([5, 28, 28], images, 0x802)),
      }),
    /train-images-idx3-ubyte: bad magic number: expected 0x00000803, found 0x00000802/,
  );
  await assertDataError(
    () =>
      loadFashionMnist({
        dir: layoutWith(
          'train-images-idx3-ubyte',
          idxBytes([5, 27, 28], images.subarray(0, 5 * 27 * 28)),
        ),
      }),
    /train-images-idx3-ubyte: expected 28×28 images, found 27×28/,
  );
  await assertDataError(
    () =>
      loadFashionMnist({
        dir: layoutWith('train-images-idx3-ubyte', idxBytes([5, 28, 28], images.subarray(0, 1234))),
      }),
    /train-images-idx3-ubyte: truncated: header says 5×28×28 = 3920 bytes of pixels, file has 1234/,
  );
  await assertDataError(
    () =>
      loadFashionMnist({
        dir: layoutWith('t10k-labels-idx1-ubyte', idxBytes([4], labels.subarray(0, 4))),
      }),
    /t10k-labels-idx1-ubyte: expected 3 labels \(one per image in .*t10k-images-idx3-ubyte\), found 4/,
  );
  await assertDataError(
    () =>
      loadFashionMnist({
        dir: layoutWith('train-labels-idx1-ubyte', idxBytes([5], Uint8Array.of(0, 1, 10, 3, 4))),
      }),
    /train-labels-idx1-ubyte: labels must be 0–9, found 10 at index 2/,
  );
  await assertDataError(
    () =>
      loadFashionMnist({
        dir: layoutWith('train-labels-idx1-ubyte', idxBytes([5], labels, 0x803)),
      }),
    /train-labels-idx1-ubyte: bad magic number: expected 0x00000801, found 0x00000803/,
  );
  const corruptGzip = gzipSync(idxBytes([5], labels)).subarray(0, 20);
  const dir = layoutWith('train-labels-idx1-ubyte', Buffer.alloc(0));
  rmSync(join(dir, 'train-labels-idx1-ubyte'));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), corruptGzip);
  await assertDataError(
    () => loadFashionMnist({ dir }),
    /train-labels-idx1-ubyte\.gz: corrupt gzip data/,
  );
});

test('a missing file is named, whether the directory came from the flag or the environment', async () => {
  const dir = writeSyntheticFashionMnist(true);
  rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
  await assertDataError(
    () => loadFashionMnist({ dir }),
    /data directory .* lacks t10k-labels-idx1-ubyte\[\.gz\]/,
  );
  process.env[FASHION_MNIST_ENV] = dir;
  try {
    await assertDataError(
      () => findFashionMnistDir({ searchPaths: [] }),
      new RegExp(`${FASHION_MNIST_ENV} directory .* lacks t10k-labels-idx1-ubyte\\[\\.gz\\]`),
    );
    const good = writeSyntheticFashionMnist(false);
    process.env[FASHION_MNIST_ENV] = good;
    assert.equal(findFashionMnistDir({ searchPaths: [] }), good);
    // The flag wins over the environment.
    assert.equal(findFashionMnistDir({ dir: writeSyntheticFashionMnist(true) }) === good, false);
  } finally {
    delete process.env[FASHION_MNIST_ENV];
  }
});

test('the search paths are tried in order and accept a mix of .gz and plain files', async () => {
  const empty = tempDir();
  const mixed = writeSyntheticFashionMnist(true);
  renameSync(join(mixed, 'train-images-idx3-ubyte.gz'), join(mixed, 'renamed.gz'));
  writeFileSync(
    join(mixed, 'train-images-idx3-ubyte'),
    idxBytes([5, 28, 28], syntheticSet(5).images),
  );
  const later = writeSyntheticFashionMnist(false);
  assert.equal(findFashionMnistDir({ searchPaths: [empty, mixed, later] }), mixed);
  assert.equal((await loadFashionMnist({ searchPaths: [empty, mixed] })).train.count, 5);
  assert.equal(findFashionMnistDir({ searchPaths: [empty] }), null);
  await assertDataError(
    () => loadFashionMnist({ searchPaths: [empty] }),
    /Fashion-MNIST not found \(searched .*\)\.\n.*three ways.*\n.*Debian package[^]*keras[^]*--data-dir DIR/,
  );
});

test('the real Fashion-MNIST (Debian package dataset-fashion-mnist) loads', async () => {
  // CI installs the package; this test asserts it rather than skipping when it is absent.
  const dir = '/usr/share/datasets/fashion-mnist';
  const { train, test: testSet } = await loadFashionMnist({ dir, shared: true });
  assert.ok(train.images.buffer instanceof SharedArrayBuffer);
  assert.equal(train.count, 60000);
  assert.equal(testSet.count, 10000);
  assert.equal(train.images.length, 60000 * 784);
  const perClass = (labels: Uint8Array): number[] => {
    const counts = new Array<number>(FASHION_MNIST_CLASS_NAMES.length).fill(0);
    for (const label of labels) counts[label]++;
    return counts;
  };
  assert.deepEqual(perClass(train.labels), new Array(10).fill(6000));
  assert.deepEqual(perClass(testSet.labels), new Array(10).fill(1000));
  // Read with numpy from the same .gz files: labels[:10], test labels[:10], images[0].sum(),
  // and (images[0] / 255.0).astype(np.float32)[350:354].
  assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  assert.deepEqual(Array.from(testSet.labels.subarray(0, 10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  assert.equal(
    train.images.subarray(0, 784).reduce((sum, p) => sum + p, 0),
    76247,
  );
  const first = new Float32Array(784);
  gatherImageBatch(train, [0], 0, 1, first);
  assert.deepEqual(
    Array.from(first.subarray(350, 354)),
    [0.8705882430076599, 0.8627451062202454, 0.8549019694328308, 0.7960784435272217],
  );
});
