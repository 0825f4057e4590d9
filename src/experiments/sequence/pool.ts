/**
 * Runs adding-problem tasks on a few worker threads (one per core by default), longest first
 * so the threads finish together; results come back in the order of the tasks.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TRAINING_WORKER_LIMITS } from '../worker-limits.js';
import type { SequenceTask } from './task.js';
import type { SequenceRun } from './train.js';
import type { SequenceWorkerMessage, SequenceWorkerRequest } from './worker.js';

/** Relative cost of one step per time step, from bench/recurrent.ts (SimpleRNN = 1). */
const STEP_COST = { simple_rnn: 1, lstm: 3, gru: 3 } as const;

export function taskCost(task: SequenceTask): number {
  return STEP_COST[task.model] * task.timesteps * task.steps;
}

export async function runTasks(
  tasks: readonly SequenceTask[],
  onStep: (task: number, done: number) => void,
  threads = Math.min(availableParallelism(), tasks.length),
  onVerdict: (line: string) => void = () => {},
): Promise<SequenceRun[]> {
  const queue = tasks.map((_, i) => i).sort((a, b) => taskCost(tasks[b]) - taskCost(tasks[a]));
  const results: SequenceRun[] = new Array(tasks.length);
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(new URL('./worker.js', import.meta.url), {
        resourceLimits: TRAINING_WORKER_LIMITS,
      }),
  );
  const drain = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      let current = -1;
      const next = () => {
        current = queue.shift() ?? -1;
        if (current < 0) {
          worker.postMessage({ type: 'stop' } satisfies SequenceWorkerRequest);
          resolve();
        } else {
          worker.postMessage({ type: 'run', task: tasks[current] } satisfies SequenceWorkerRequest);
        }
      };
      worker.on('message', (message: SequenceWorkerMessage) => {
        if (message.type === 'step') onStep(current, message.done);
        else if (message.type === 'verdict') onVerdict(message.line);
        else if (message.type === 'error') reject(new Error(message.message));
        else {
          onStep(current, tasks[current].steps);
          results[current] = message.run;
          next();
        }
      });
      worker.on('error', reject);
      next();
    });
  try {
    await Promise.all(workers.map(drain));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}
