/**
 * The heap-backed image dataset: the native and the SIMD gather equal the JavaScript one, every
 * byte value (test/engine/kernel-paths.test.ts runs this file on the other kernel paths too).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { imageDataset } from '../../src/data/image-dataset.js';
import { gatherImageBatch } from '../../src/data/image-set.js';
import type { ImageSet } from '../../src/data/image-set.js';
import { heap } from '../../src/engine/heap.js';
import { nativeGatherScaled, nativeWidth } from '../../src/engine/kernels/native.js';
import { Tensor } from '../../src/engine/tensor.js';

// 7×5 images (35 pixels: two 16-byte blocks and a tail), every byte value 0–255 present.
const set: ImageSet = {
  images: Uint8Array.from({ length: 40 * 35 }, (_, i) => (i * 37) % 256),
  labels: Uint8Array.from({ length: 40 }, (_, i) => i % 10),
  count: 40,
  rows: 7,
  cols: 5,
};

test('gathering into a heap tensor equals gatherImageBatch bit for bit', () => {
  const dataset = imageDataset(set);
  const order = Int32Array.from({ length: 40 }, (_, i) => (i * 13) % 40);
  for (const [start, count] of [
    [0, 40],
    [3, 7],
    [39, 1],
  ]) {
    const expected = new Float32Array(count * 35);
    gatherImageBatch(set, order, start, count, expected);
    const tensor = Tensor.zeros([count, 7, 5]);
    dataset.gatherSamples(order, start, count, tensor.data);
    assert.deepEqual(tensor.data, expected, `start ${start}, count ${count}`);
    tensor.dispose();
  }
});

test('a plain array gets the same values; bad indices are refused with the index named', () => {
  const dataset = imageDataset(set);
  const out = new Float32Array(2 * 35);
  dataset.gatherSamples([5, 6], 0, 2, out);
  const expected = new Float32Array(2 * 35);
  gatherImageBatch(set, [5, 6], 0, 2, expected);
  assert.deepEqual(out, expected);
  const tensor = Tensor.zeros([2, 7, 5]);
  assert.throws(() => dataset.gatherSamples([1, 40], 0, 2, tensor.data), /indices\[1\]=40/);
});

test('every byte value scales to its IEEE quotient x / 255, on whichever path this process runs', () => {
  // 16×16 images, each the bytes 0–255 rotated by its index: every value in every lane.
  const count = 5;
  const images = Uint8Array.from({ length: count * 256 }, (_, i) => (i + (i >> 8) * 37) % 256);
  const bytes: ImageSet = { images, labels: new Uint8Array(count), count, rows: 16, cols: 16 };
  const order = [4, 0, 3, 1, 2];
  const tensor = Tensor.zeros([count, 16, 16]);
  imageDataset(bytes).gatherSamples(order, 0, count, tensor.data);
  for (let b = 0; b < count; b++) {
    for (let p = 0; p < 256; p++) {
      const x = images[order[b] * 256 + p];
      assert.equal(
        tensor.data[b * 256 + p],
        Math.fround(x / 255),
        `image ${b}, pixel ${p}, byte ${x}`,
      );
    }
  }
  tensor.dispose();
});

test('the native gather refuses an index past the images instead of reading beyond them', (t) => {
  const gather = nativeGatherScaled(heap.memory);
  if (gather === null) {
    // This process runs the wasm kernels (GRADSCOPE_NATIVE=0, or no addon): nothing to call.
    assert.equal(nativeWidth, null);
    return;
  }
  t.diagnostic(`native gather on ${nativeWidth}`);
  const indices = heap.alloc(4);
  const out = Tensor.zeros([35]);
  new Int32Array(heap.memory.buffer, indices, 1)[0] = 40;
  assert.throws(() => gather(set.images, indices, 1, 35, out.data.byteOffset), /past the images/);
  new Int32Array(heap.memory.buffer, indices, 1)[0] = 39;
  gather(set.images, indices, 1, 35, out.data.byteOffset);
  assert.equal(out.data[34], Math.fround(set.images[39 * 35 + 34] / 255));
  heap.release(indices, 4);
  out.dispose();
});
