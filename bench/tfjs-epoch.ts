/**
 * The same reference model trained by TensorFlow.js `model.fit` in a fresh process, on the
 * first `samples` training images (TF.js is slow enough that a subset is timed and scaled to
 * 60,000 by the caller). Prints one JSON line: { seconds, samples, backend }.
 * Usage: node tfjs-epoch.js <cpu|wasm> <samples>
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';

const backend = process.argv[2] ?? 'cpu';
const samples = Number(process.argv[3] ?? 3200);

async function main(): Promise<void> {
  if (backend === 'wasm') {
    const require = createRequire(import.meta.url);
    const wasmMain = require.resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(join(dirname(wasmMain), '/'));
  }
  await tf.setBackend(backend);
  await tf.ready();
  const { train } = await loadFashionMnist();
  const pixels = new Float32Array(samples * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = train.images[i] / 255;
  const xs = tf.tensor3d(pixels, [samples, 28, 28]);
  const ys = tf.tensor1d(Array.from(train.labels.subarray(0, samples)), 'float32');
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28] }));
  for (let i = 0; i < 3; i++) model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.batchNormalization());
  for (let i = 0; i < 3; i++) model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.25 }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({
    optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7),
    loss: 'sparseCategoricalCrossentropy',
  });
  // One untimed pass over a few batches compiles TF.js's kernels (and wasm's), so the timed
  // pass measures steady training, as one full epoch mostly is.
  const warmup = 320;
  await model.fit(xs.slice(0, warmup), ys.slice(0, warmup), {
    epochs: 1,
    batchSize: 32,
    verbose: 0,
  });
  const started = performance.now();
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, samples, backend: tf.getBackend() }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
