/**
 * One benchmark measurement in a fresh process: the reference model trained for `epochs`
 * epochs on the first `samples` Fashion-MNIST training images (batch 32, Adam); prints one JSON
 * line { seconds, epochSeconds, peakRssMB, loss } where `seconds` is the median epoch, so a
 * hiccup on the shared machine does not decide the figure.
 * Usage: node gradscope-epoch.js <activation> [samples] [epochs]
 */
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import { firstImages, imageDataset } from '../src/data/image-dataset.js';
import type { ActivationName } from '../src/engine/activations.js';
import { buildFashionModel } from '../src/experiments/fashion/model.js';

const activation = (process.argv[2] ?? 'relu') as ActivationName;
const samples = Number(process.argv[3] ?? 60000);
const epochs = Number(process.argv[4] ?? 3);
const train = imageDataset(firstImages(loadFashionMnist().train, samples));
const model = buildFashionModel({ activation, seed: 0 });
const epochSeconds: number[] = [];
let started = 0;
const history = model.fit(train, {
  epochs,
  batchSize: 32,
  callbacks: [
    { onEpochBegin: () => (started = performance.now()) },
    { onEpochEnd: () => epochSeconds.push((performance.now() - started) / 1000) },
  ],
});
const sorted = [...epochSeconds].sort((a, b) => a - b);
const seconds = sorted[Math.floor(sorted.length / 2)];
const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({ seconds, epochSeconds, peakRssMB, loss: history.history.loss.at(-1) }),
);
