/** Worker-thread entry: trains one Fashion-MNIST model and reports to the parent thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FashionMnist } from '../../data/fashion-mnist.js';
import type { FashionTrainArgs } from './train.js';
import { trainFashion } from './train.js';

export interface FashionWorkerData {
  data: FashionMnist;
  args: FashionTrainArgs;
}

export type FashionWorkerMessage =
  | { type: 'batch'; done: number; total: number; loss: number }
  | { type: 'epoch'; epoch: number; logs: import('../../engine/callbacks.js').EpochLogs }
  | { type: 'done' }
  | { type: 'error'; message: string };

const port = parentPort!;
const { data, args } = workerData as FashionWorkerData;
try {
  trainFashion(data, args, (progress) => port.postMessage(progress));
  port.postMessage({ type: 'done' } satisfies FashionWorkerMessage);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  port.postMessage({ type: 'error', message } satisfies FashionWorkerMessage);
}
