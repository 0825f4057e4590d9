/**
 * One benchmark measurement in a fresh process: one epoch of the reference model on the
 * 60,000 Fashion-MNIST training images, batch 32, Adam. Prints one JSON line:
 * { seconds, peakRssMB, loss }. Usage: node gradscope-epoch.js <activation> [samples]
 */
import { imageDataset, firstImages } from '../src/data/image-dataset.js';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import type { ActivationName } from '../src/engine/activations.js';
import { buildFashionModel } from '../src/experiments/fashion-model.js';

const activation = (process.argv[2] ?? 'relu') as ActivationName;
const samples = Number(process.argv[3] ?? 60000);
const data = loadFashionMnist();
const train = imageDataset(firstImages(data.train, samples));
const model = buildFashionModel({ activation, seed: 0 });
const started = performance.now();
const history = model.fit(train, { epochs: 1, batchSize: 32 });
const seconds = (performance.now() - started) / 1000;
const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ seconds, peakRssMB, loss: history.history.loss[0] }));
