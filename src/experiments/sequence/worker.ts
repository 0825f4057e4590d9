/** Worker-thread entry: takes adding-problem tasks from the parent until told to stop. */
import { parentPort } from 'node:worker_threads';
import type { SequenceRun } from './train.js';
import { runTask } from './task.js';
import type { SequenceTask } from './task.js';

export type SequenceWorkerRequest = { type: 'run'; task: SequenceTask } | { type: 'stop' };

export type SequenceWorkerMessage =
  | { type: 'step'; done: number }
  | { type: 'verdict'; line: string }
  | { type: 'done'; run: SequenceRun }
  | { type: 'error'; message: string };

/** Steps between progress messages: each one crosses threads. */
const PROGRESS_EVERY = 10;

const port = parentPort!;
port.on('message', (request: SequenceWorkerRequest) => {
  if (request.type === 'stop') {
    port.close();
    return;
  }
  try {
    const run = runTask(
      request.task,
      (done) => {
        if (done % PROGRESS_EVERY === 0) port.postMessage({ type: 'step', done });
      },
      (line) => port.postMessage({ type: 'verdict', line } satisfies SequenceWorkerMessage),
    );
    port.postMessage({ type: 'done', run } satisfies SequenceWorkerMessage);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ type: 'error', message } satisfies SequenceWorkerMessage);
  }
});
