/**
 * Where the live Diagnoser's rules run: on a thread of their own (evaluation-worker.ts), one
 * per process, started with the first Diagnoser and unref'd (it never keeps the process
 * alive). `fit` is synchronous, so answers are not events: the training thread looks between
 * two steps whether any came (`poll`: one atomic read of a counter the worker bumps), and
 * takes them with `receiveMessageOnPort`; where training must not go on before the answer (a
 * non-finite value, the end of training), it waits for it (`wait`).
 *
 * Why a thread: an evaluation reads the whole run so far, 1–2 ms on the reference model's
 * epoch and 15 ms the first time in a process (its code still cold), which a step-sized budget
 * (issue 9: ≤ 1% of an epoch) cannot hold. With the rules on the thread, training pays for
 * keeping the records, as before, and for handing them over at each evaluation (live-run.ts
 * `takeDelta`: a copy of the log since the last request): bench/diagnoser-overhead.ts.
 *
 * GRADSCOPE_DIAGNOSE_THREAD=0 keeps the rules on the training thread (Diagnoser `thread`).
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import type { DiagnoseOptions } from './diagnose.js';
import type { RunDelta } from './live-run.js';
import type { Rule, Verdict } from './rule.js';
import { RULES } from './rules/index.js';

/** Which rules a request runs: every one, all but `nonfinite`, `nonfinite` alone, or none. */
export type RuleSet = 'all' | 'later' | 'nonfinite' | 'none';

/** The rules of each RuleSet, on either thread. */
export const RULE_SETS: Readonly<Record<RuleSet, readonly Rule[]>> = {
  all: RULES,
  later: RULES.filter((rule) => rule.name !== 'nonfinite'),
  nonfinite: RULES.filter((rule) => rule.name === 'nonfinite'),
  none: [],
};

export interface EvaluationRequest {
  id: number;
  /** The run's key among this process's live runs. */
  run: number;
  name: string;
  command: string | undefined;
  delta: RunDelta;
  rules: RuleSet;
  thresholds: DiagnoseOptions['thresholds'];
  commandFlags: DiagnoseOptions['commandFlags'];
}

/** Tells the worker to drop its copy of run `drop` (its Diagnoser was collected). */
export interface DropRequest {
  drop: number;
}

export type EvaluationAnswer = { id: number; verdicts: Verdict[] } | { id: number; error: string };

export interface EvaluationWorkerData {
  /** [0]: answers sent so far (the worker adds 1 after each); [1]: 1 once the worker runs. */
  signal: Int32Array;
}

/** How long `wait` waits for an answer before it gives up on the thread. */
const ANSWER_TIMEOUT_MS = 120_000;
/** How long it waits for the thread to start (load its modules), on a slow, loaded machine. */
const START_TIMEOUT_MS = 20_000;

/** Where the thread's code is, and how long `wait` gives it to start and to answer. */
export interface EvaluationThreadArgs {
  /** Defaults to evaluation-worker.js beside this module. */
  file?: URL;
  /** Defaults to START_TIMEOUT_MS. */
  startTimeoutMs?: number;
}

type Handler = (answer: EvaluationAnswer) => void;

export class EvaluationThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private readonly started = Date.now();
  private readonly startTimeoutMs: number;
  private seen = 0;
  private nextId = 0;
  private readonly handlers = new Map<number, Handler>();
  /** A run's copy lives as long as its Diagnoser: it may train again (another `fit`). */
  private readonly copies = new FinalizationRegistry<number>((run) => {
    const drop: DropRequest = { drop: run };
    this.worker.postMessage(drop);
  });

  constructor(args: EvaluationThreadArgs = {}) {
    this.startTimeoutMs = args.startTimeoutMs ?? START_TIMEOUT_MS;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData = { signal: this.signal, port: port2 };
    const file = args.file ?? new URL('./evaluation-worker.js', import.meta.url);
    // No inherited execArgv, as for the product helper (threads.ts).
    this.worker = new Worker(file, {
      workerData,
      transferList: [port2],
      execArgv: [],
    });
    this.worker.unref();
    this.port.unref();
    // A thread that cannot run shows as `wait` timing out on its start; its error event would
    // come only after training.
    this.worker.on('error', () => undefined);
  }

  /** A key for a new live run, whose copy the worker drops once `owner` is collected. */
  addRun(owner: object): number {
    const run = nextRun++;
    this.copies.register(owner, run);
    return run;
  }

  /**
   * Sends `request` (its id set here; its log's words and steps are moved, not copied);
   * `handle` gets the answer, from `poll` or `wait`. Returns the id.
   */
  request(request: Omit<EvaluationRequest, 'id'>, handle: Handler): number {
    const id = this.nextId++;
    const { words, stepChanges } = request.delta.log;
    const transfer = [words.buffer as ArrayBuffer, stepChanges.buffer as ArrayBuffer];
    for (const [, histogram] of request.delta.histograms) {
      for (const point of [...histogram.every, ...histogram.kept.map((k) => k.histogram)]) {
        if ('values' in point && point.values !== null) {
          transfer.push(point.values.buffer as ArrayBuffer);
        }
      }
    }
    this.handlers.set(id, handle);
    this.worker.postMessage({ ...request, id }, transfer);
    return id;
  }

  /** Whether an answer is awaited: then the Diagnosers look for it (`poll`). */
  awaiting(): boolean {
    return this.handlers.size > 0;
  }

  /** Hands each answer that came to its handler; a step's cost when none came: one atomic read. */
  poll(): void {
    if (Atomics.load(this.signal, 0) === this.seen) return;
    this.seen = Atomics.load(this.signal, 0);
    for (let message = receiveMessageOnPort(this.port); message;) {
      const answer = message.message as EvaluationAnswer;
      const handle = this.handlers.get(answer.id);
      this.handlers.delete(answer.id);
      handle?.(answer);
      message = receiveMessageOnPort(this.port);
    }
  }

  /** Blocks until the answer to request `id` (and those before it) has been handled. */
  wait(id: number): void {
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      this.poll();
      if (!this.handlers.has(id)) return;
      const running = Atomics.load(this.signal, 1) === 1;
      const startLeft = this.started + this.startTimeoutMs - Date.now();
      if (!running && startLeft <= 0)
        throw threadError(`did not start in ${this.startTimeoutMs} ms`);
      const left = running ? deadline - Date.now() : Math.min(startLeft, 50);
      if (left <= 0) throw threadError(`did not answer in ${ANSWER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.signal, 0, this.seen, left);
    }
  }
}

/** What `wait` throws when the thread fails it. */
function threadError(what: string): Error {
  return new Error(
    `gradscope: the Diagnoser's evaluation thread ${what} ` +
      '(GRADSCOPE_DIAGNOSE_THREAD=0 runs the rules on the training thread)',
  );
}

let thread: EvaluationThread | null = null;
let nextRun = 0;

/** This process's evaluation thread, started at the first call. */
export function evaluationThread(): EvaluationThread {
  return (thread ??= new EvaluationThread());
}

/**
 * Whether the rules run on their own thread: GRADSCOPE_DIAGNOSE_THREAD, '1' (the default) or
 * '0'.
 */
export function threadSetting(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.GRADSCOPE_DIAGNOSE_THREAD ?? '1';
  if (value !== '0' && value !== '1') {
    throw new Error(
      `gradscope: GRADSCOPE_DIAGNOSE_THREAD must be 0 or 1. Received: GRADSCOPE_DIAGNOSE_THREAD=${value}`,
    );
  }
  return value === '1';
}
