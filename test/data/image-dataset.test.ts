/** The heap-backed image dataset: the SIMD gather equals the JavaScript one, every byte value. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { imageDataset } from '../../src/data/image-dataset.js';
import { gatherImageBatch } from '../../src/data/image-set.js';
import type { ImageSet } from '../../src/data/image-set.js';
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
