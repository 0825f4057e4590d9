/**
 * Worker-thread entry: reads the Fashion-MNIST files named in `workerData` into
 * SharedArrayBuffers and posts them back; see `readSharedInWorker` for why a thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from './errors.js';
import {
  readFashionMnistFiles,
  type FashionMnistFiles,
  type FashionMnistReaderMessage,
} from './fashion-mnist.js';

const sharedBytes = (bytes: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(bytes));

let message: FashionMnistReaderMessage;
try {
  message = { data: await readFashionMnistFiles(workerData as FashionMnistFiles, sharedBytes) };
} catch (error) {
  const text = error instanceof Error ? error.message : String(error);
  message = { error: { message: text, dataError: error instanceof DataError } };
}
parentPort!.postMessage(message);
