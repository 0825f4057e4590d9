/**
 * The Diagnoser's evaluation thread (evaluations.ts starts it): it keeps a copy of each live
 * run, taking in what the training thread's LiveRun gave since the last request (live-run.ts
 * `takeDelta`), and runs the rules over it there, so that training waits for none of them.
 * Each answer goes back on `port`, and `signal[0]` counts the answers, for the training thread
 * to look at between two steps without waiting (evaluations.ts); `signal[1]` is 1 once this
 * module has loaded.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { diagnoseData } from './diagnose.js';
import {
  RULE_SETS,
  type DropRequest,
  type EvaluationAnswer,
  type EvaluationRequest,
  type EvaluationWorkerData,
} from './evaluations.js';
import { LiveRun } from './live-run.js';

const { port, signal } = workerData as EvaluationWorkerData & { port: MessagePort };

const runs = new Map<number, LiveRun>();

function answer(request: EvaluationRequest): EvaluationAnswer {
  const { id, run: key } = request;
  try {
    let run = runs.get(key);
    if (run === undefined) runs.set(key, (run = new LiveRun(request.command)));
    run.appendDelta(request.delta);
    if (request.rules === 'none') return { id, verdicts: [] };
    const { thresholds, commandFlags } = request;
    const rules = RULE_SETS[request.rules];
    const { verdicts } = diagnoseData(run.data(request.name), { thresholds, rules, commandFlags });
    return { id, verdicts };
  } catch (error) {
    return { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

// Running: the training thread's `wait` stops waiting for the start.
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 0);

parentPort!.on('message', (request: EvaluationRequest | DropRequest) => {
  if ('drop' in request) {
    runs.delete(request.drop);
    return;
  }
  const reply = answer(request);
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
