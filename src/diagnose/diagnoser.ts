/**
 * Diagnoser: the rules, live during `fit`. The probes' records pass through `diagnoser.sink`
 * into a LiveRun (live-run.ts: one compact log, a few nanoseconds per record) and on to the sink
 * given, e.g. the run's RunWriter. Each verdict is printed with its step the first time it
 * fires and written into the run as a TensorBoard text summary (`verdicts/<check>`), where
 * TensorBoard's Text tab shows it and any RunProvider reads it back; when a later evaluation of
 * every rule no longer finds it, it is printed and written again as resolved.
 *
 *   const writer = new RunWriter('runs/a');
 *   const diagnoser = new Diagnoser({ sink: writer, texts: writer });
 *   model.fit(data, { callbacks: [new GradientProbes({ sink: diagnoser.sink }), diagnoser] });
 *
 * Where the rules run: on a thread of their own (evaluations.ts; `thread`), which takes the
 * records since its last request at each evaluation (LiveRun.takeDelta), so that training
 * does not wait for them, only where it must: for `nonfinite` (it may stop training at that
 * step), with `stopOnError`, and for the last evaluation. A verdict found there is printed
 * (with the step it names) when its answer comes, within 16 steps of it. The verdicts, the
 * steps they name and the step training stops at are the same on either thread (tested).
 *
 * When the rules run (between two batches):
 * - `nonfinite` alone, at the end of the step in which a non-finite record arrived (one scan of
 *   the step's records), until it has fired: so training can stop at that step;
 * - every rule at steps 64, 256, 1024, … (each 4× the last) and when training ends. Each such
 *   evaluation reads the whole run so far (the rules are medians and trends over whole series),
 *   so the growing interval keeps their total cost under 4/3 of one evaluation of the finished
 *   run (bench/diagnoser-overhead.ts); a verdict is therefore printed at the first scheduled
 *   step after its evidence appeared, up to 4× its step. None before step 64: the rules'
 *   medians and trends need some steps of history, and an evaluation costs about as much at
 *   step 16 as at step 256 (its fixed part: measured 1.2–1.5 ms of the 10–12 ms an epoch of
 *   the reference model spent evaluating, when the first was at step 16). What an evaluation
 *   builds of the run and does not change while its tags stay (the RunData's series, parameters
 *   and layers) is kept for the next (LiveRun.data), which then reads only the new records.
 * At the other steps `fit` does not call it (`nextBatchEnd`), except every POLL_STEPS steps
 * while an answer is awaited: the LiveRun tells it when a non-finite record arrives, as the
 * record is kept.
 * After training, `verdicts` are those of the whole run: what `gradscope diagnose` gives on the
 * run the probes wrote (test/diagnose/diagnoser.test.ts checks it).
 */
import type { Callback, EpochLogs, StepContext } from '../engine/callbacks.js';
import type { Model } from '../engine/model.js';
import { allFinite } from '../engine/norms.js';
import type { TextSink } from '../log/text.js';
import { TeeSink, type RecordSink } from '../probe/sink.js';
import { diagnoseData, type DiagnoseOptions } from './diagnose.js';
import {
  evaluationThread,
  RULE_SETS,
  threadSetting,
  type EvaluationAnswer,
  type EvaluationThread,
  type RuleSet,
} from './evaluations.js';
import { LiveRun } from './live-run.js';
import type { Verdict } from './rule.js';
import { LOG_LIMIT } from './scalar-log.js';

export interface DiagnoserArgs {
  /** Where the probes' records go on to (e.g. the run's RunWriter). Defaults to none. */
  sink?: RecordSink;
  /** Where verdicts are written as text summaries. Defaults to none. */
  texts?: TextSink;
  /** The run's name in messages. Defaults to 'run'. */
  name?: string;
  /** Stop training at the first `nonfinite` verdict. Defaults to true. */
  stopOnNonfinite?: boolean;
  /** Stop training at the first verdict of severity error, of any check. Defaults to false. */
  stopOnError?: boolean;
  /** Threshold overrides, as for `diagnose`. Defaults to none. */
  thresholds?: DiagnoseOptions['thresholds'];
  /**
   * The gradscope command that trains the run and the flags it takes (`--learning-rate`):
   * remedies then name only those, as `diagnose` gives them on the run's files, whose writer
   * names the command (DiagnoseOptions.commandFlags). Defaults to none: any gradscope flag.
   */
  command?: { name: string; flags: ReadonlySet<string> };
  /** Where verdict lines are printed. Defaults to console.log; null prints nothing. */
  print?: ((line: string) => void) | null;
  /**
   * Whether the rules run on a thread of their own (evaluations.ts), so that training does not
   * wait for them, or on the training thread. Defaults to GRADSCOPE_DIAGNOSE_THREAD (1: their
   * own). Either gives the same verdicts at the same steps; on their own thread, one found by
   * an evaluation of every rule is printed a few steps after the step it names, and
   * `stopOnError` makes training wait for each evaluation, so that it stops at that step.
   */
  thread?: boolean;
}

const VALIDATION_LOSS_TAG = 'val_loss';

/** First evaluation step; later ones are CHECK_GROWTH times the previous one. */
export const FIRST_CHECK = 64;
export const CHECK_GROWTH = 4;
/** Answers are looked for every POLL_STEPS steps while one is awaited. */
const POLL_STEPS = 16;
/**
 * Steps `fit` may go without calling onBatchEnd (`nextBatchEnd`), which hands the records over
 * once this thread's log holds LOG_LIMIT words: so it holds at most that and 1,024 steps' records
 * (about 72,000 words on the reference model).
 */
const MOST_SKIPPED = 1024;

export class Diagnoser implements Callback {
  /** Give this to the probes: it keeps their records for the rules and passes them on. */
  readonly sink: RecordSink;
  /**
   * The verdicts of the latest evaluation of every rule: after training, those of the whole run.
   */
  verdicts: Verdict[] = [];
  /**
   * Every verdict as it fired, in firing order: each check and layer once, and again only after
   * an evaluation of every rule no longer found it (it was resolved, see `resolveGone`).
   */
  readonly fired: Verdict[] = [];
  private readonly run: LiveRun;
  /** `args.command` as diagnose takes it. */
  private readonly commandFlags: DiagnoseOptions['commandFlags'];
  private readonly name: string;
  /** The verdicts fired and not resolved since, by check and layer (`keyOf`). */
  private readonly open = new Map<string, Verdict>();
  /** Whether `nonfinite` fired: then it no longer runs alone (a non-finite value stays found). */
  private nonfiniteFired = false;
  private readonly print: ((line: string) => void) | null;
  private nextCheck = FIRST_CHECK;
  /** Whether any non-finite record arrived: until then `nonfinite` has nothing to find. */
  private everNonfinite = false;
  /**
   * The first step at which `fit` calls onBatchEnd (Callback.nextBatchEnd): the next scheduled
   * evaluation, the next look for an awaited answer, at most MOST_SKIPPED steps on; 0 once a
   * non-finite record arrives (LiveRun `onNonFinite`), so that `nonfinite` runs at its step.
   */
  nextBatchEnd = 0;
  /** Optimizer steps so far, as of the last onBatchEnd (`stepsSoFar` between calls). */
  private steps = 0;
  /** The model being trained, and its optimizer's step count when `fit` began. */
  private model: Model | null = null;
  private iterationsAtBegin = 0;
  /** Whether `val_loss` records come through the sink (then epoch logs are not added). */
  private validationLogged = false;
  /** `val_loss` records added from epoch logs. */
  private validationAdded = 0;
  /** The rules' thread, or null where they run on this one; this run's key there. */
  private readonly thread: EvaluationThread | null;
  private readonly runKey: number;

  constructor(private readonly args: DiagnoserArgs = {}) {
    this.name = args.name ?? 'run';
    this.run = new LiveRun(args.command?.name, allFinite, () => (this.nextBatchEnd = 0));
    const { command } = args;
    this.commandFlags = command && new Map([[command.name, command.flags]]);
    this.print = args.print === undefined ? (line) => console.log(line) : args.print;
    this.sink = args.sink === undefined ? this.run : new TeeSink([this.run, args.sink]);
    this.thread = (args.thread ?? threadSetting()) ? evaluationThread() : null;
    this.runKey = this.thread?.addRun(this) ?? -1;
  }

  onTrainBegin(model: Model): void {
    this.model = model;
    this.iterationsAtBegin = model.optimizer?.iterations ?? 0;
    this.nextBatchEnd = 0;
  }

  onBatchEnd(context: StepContext): void {
    this.look(context);
    this.nextBatchEnd = this.nextLook(context.step);
  }

  /** What onBatchEnd does at a step `fit` calls it at. */
  private look(context: StepContext): void {
    this.steps = context.step + 1;
    const nonfinite = this.run.nonFiniteArrived();
    this.everNonfinite ||= nonfinite;
    if (this.steps >= this.nextCheck) {
      this.nextCheck *= CHECK_GROWTH;
      this.evaluate(context.step, context.model, this.rules());
    } else if (nonfinite && !this.nonfiniteFired) {
      this.evaluate(context.step, context.model, 'nonfinite', false);
    } else if (this.thread !== null) {
      // Answers are printed within POLL_STEPS steps of coming; a look costs an atomic read.
      if (this.steps % POLL_STEPS === 0) this.thread.poll();
      // Records go over between evaluations too, so that this thread's log stays bounded.
      if (this.run.heldWords > LOG_LIMIT) {
        this.send('none', false, (answer) => this.verdictsOf(answer, context.step));
      }
    }
  }

  /**
   * The step after `step` at which onBatchEnd must run (`nextBatchEnd`): where `look` evaluates
   * every rule (step + 1 reaching `nextCheck`), where it looks for an awaited answer (step + 1 a
   * multiple of POLL_STEPS), and at most MOST_SKIPPED on, for the log's bound.
   */
  private nextLook(step: number): number {
    let next = Math.min(this.nextCheck - 1, step + MOST_SKIPPED);
    if (this.thread?.awaiting()) {
      next = Math.min(next, (Math.floor((step + 1) / POLL_STEPS) + 1) * POLL_STEPS - 1);
    }
    return next;
  }

  /** Optimizer steps of this `fit` so far, though onBatchEnd did not run at each. */
  private stepsSoFar(): number {
    const optimizer = this.model?.optimizer;
    return optimizer ? optimizer.iterations - this.iterationsAtBegin : this.steps;
  }

  onTrainEnd(): void {
    this.steps = this.stepsSoFar();
    this.everNonfinite ||= this.run.nonFiniteArrived();
    this.evaluate(this.steps, null, this.rules(), true, true);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    this.steps = this.stepsSoFar();
    // For `overfitting`; kept in memory only, unless the run logs validation loss itself.
    this.validationLogged ||= this.run.scalarCount(VALIDATION_LOSS_TAG) > this.validationAdded;
    if (logs.val_loss !== undefined && !this.validationLogged) {
      this.run.scalar(VALIDATION_LOSS_TAG, logs.val_loss, this.steps);
      this.validationAdded++;
    }
  }

  /** `nonfinite` scans every series: it runs once a non-finite value has been recorded. */
  private rules(): 'all' | 'later' {
    return this.everNonfinite ? 'all' : 'later';
  }

  /**
   * Runs `rules` over the records so far (no copy of a series); `complete` when they are every
   * rule that can fire, so that the result is the run's current verdicts. On the rules' own
   * thread, training waits for the answer only where it must: at the end of training, for
   * `nonfinite` alone (it may stop training at this step) and with `stopOnError`.
   */
  private evaluate(
    step: number,
    model: { stopTraining: boolean } | null,
    rules: Exclude<RuleSet, 'none'>,
    complete = true,
    last = false,
  ): void {
    const { thresholds } = this.args;
    if (this.thread !== null) {
      // Waits for the first evaluation that can find a non-finite value, which stops training.
      const nonfinite = rules !== 'later' && !this.nonfiniteFired;
      const wait = last || nonfinite || this.args.stopOnError === true;
      this.send(rules, wait, (answer) => {
        this.take(step, model, this.verdictsOf(answer, step), complete);
      });
      return;
    }
    const data = this.run.data(this.name);
    const options = { thresholds, rules: RULE_SETS[rules], commandFlags: this.commandFlags };
    this.take(step, model, diagnoseData(data, options).verdicts, complete);
  }

  /** The verdicts of an answer to a request at `step`; throws the error of one that failed. */
  private verdictsOf(answer: EvaluationAnswer, step: number): Verdict[] {
    if (!('error' in answer)) return answer.verdicts;
    throw new Error(`gradscope: ${this.name}: the rules failed at step ${step}: ${answer.error}`);
  }

  /** Hands the records since the last request to the rules' thread, asking for `rules`. */
  private send(rules: RuleSet, wait: boolean, handle: (answer: EvaluationAnswer) => void): void {
    const thread = this.thread!;
    const request = {
      run: this.runKey,
      name: this.name,
      command: this.args.command?.name,
      delta: this.run.takeDelta(),
      rules,
      thresholds: this.args.thresholds,
      commandFlags: this.commandFlags,
    };
    const id = thread.request(request, handle);
    if (wait) thread.wait(id);
  }

  /** Prints and writes the verdicts of an evaluation at `step` that were not open. */
  private take(
    step: number,
    model: { stopTraining: boolean } | null,
    verdicts: Verdict[],
    complete: boolean,
  ): void {
    if (complete) {
      this.verdicts = verdicts;
      this.resolveGone(step, verdicts);
    }
    for (const verdict of verdicts) {
      const key = keyOf(verdict);
      if (this.open.has(key)) continue;
      this.open.set(key, verdict);
      if (verdict.check === 'nonfinite') this.nonfiniteFired = true;
      this.fired.push(verdict);
      this.print?.(`gradscope: ${this.name}: step ${step}: ${describe(verdict)}`);
      this.args.texts?.text(`verdicts/${verdict.check}`, markdown(verdict), step);
      const stop =
        (verdict.check === 'nonfinite' && (this.args.stopOnNonfinite ?? true)) ||
        (verdict.severity === 'error' && this.args.stopOnError === true);
      if (stop && model !== null) model.stopTraining = true;
    }
  }

  /**
   * Each open verdict that `verdicts`, an evaluation of every rule at `step`, no longer holds is
   * resolved: printed and written into the run as such, so that a reader of the run sees an early
   * warning end (Adam's first steps, say, move the weights by more than 1% of their norm). It may
   * fire again.
   */
  private resolveGone(step: number, verdicts: readonly Verdict[]): void {
    const found = new Set(verdicts.map(keyOf));
    for (const [key, verdict] of this.open) {
      if (found.has(key)) continue;
      this.open.delete(key);
      this.print?.(
        `gradscope: ${this.name}: step ${step}: resolved ${where(verdict)}: no longer found`,
      );
      this.args.texts?.text(`verdicts/${verdict.check}`, resolvedMarkdown(verdict, step), step);
    }
  }
}

/** A verdict's check and layer: what fires once until it is resolved. */
function keyOf(v: Verdict): string {
  return v.layer === null ? v.check : `${v.check}|${v.layer}`;
}

/** "dead_relu at dense_2", or the check alone for the whole run. */
function where(v: Verdict): string {
  return v.layer === null ? v.check : `${v.check} at ${v.layer}`;
}

/** A resolved verdict as TensorBoard's Text tab renders it. */
function resolvedMarkdown(v: Verdict, step: number): string {
  const layer = v.layer === null ? '' : ` at \`${v.layer}\``;
  return `**resolved** \`${v.check}\`${layer}: no longer found at step ${step}.`;
}

function describe(v: Verdict): string {
  return `${v.severity} ${where(v)}: ${v.message}. Remedy: ${v.remedy}`;
}

/** A verdict as TensorBoard's Text tab renders it (markdown). */
export function markdown(v: Verdict): string {
  const steps = v.firstStep === null ? '' : ` (steps ${v.firstStep}–${v.lastStep ?? v.firstStep})`;
  const evidence = Object.entries(v.evidence)
    .map(([k, value]) => `${k}=${value}`)
    .join(', ');
  return `**${v.severity}** \`${v.check}\`${v.layer === null ? '' : ` at \`${v.layer}\``}${steps}: ${v.message}.\n\nEvidence: ${evidence}.\n\nRemedy: ${v.remedy}.`;
}
