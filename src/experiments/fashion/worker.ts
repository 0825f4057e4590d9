/** Worker-thread entry: trains one Fashion-MNIST model and reports to the parent thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FashionMnist } from '../../data/fashion-mnist.js';
import type { FashionProgress, FashionTrainArgs, FashionTrainResult } from './train.js';
import { trainFashion } from './train.js';

export interface FashionWorkerData {
  data: FashionMnist;
  args: FashionTrainArgs;
}

export type FashionWorkerMessage =
  FashionProgress | ({ type: 'done' } & FashionTrainResult) | { type: 'error'; message: string };

const port = parentPort!;
const { data, args } = workerData as FashionWorkerData;
try {
  const result = trainFashion(data, args, (progress) => port.postMessage(progress));
  port.postMessage({ type: 'done', ...result } satisfies FashionWorkerMessage);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  port.postMessage({ type: 'error', message } satisfies FashionWorkerMessage);
}
