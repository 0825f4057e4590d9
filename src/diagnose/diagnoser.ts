/**
 * Diagnoser: the rules, live during `fit`. The probes' records pass through `diagnoser.sink`
 * (into an in-memory run (a MemoryRun, as MemoryProvider holds them), and on to the sink given, e.g. the run's RunWriter); the rules run
 * over that run as it grows, and each verdict is printed with its step the first time it fires
 * and written into the run as a TensorBoard text summary (`verdicts/<check>`), where
 * TensorBoard's Text tab shows it and any RunProvider reads it back.
 *
 *   const writer = new RunWriter('runs/a');
 *   const diagnoser = new Diagnoser({ sink: writer, texts: writer });
 *   model.fit(data, { callbacks: [new GradientProbes({ sink: diagnoser.sink }), diagnoser] });
 *
 * When the rules run: at once when a record is non-finite (so training can stop at that step),
 * at steps 16, 64, 256, … (each 4× the last), and when training ends. Each evaluation reads the
 * run so far, so the growing interval keeps their total cost about 4/3 of one evaluation of the
 * whole run (measured in bench/diagnoser-overhead.ts); a verdict is therefore printed at the
 * first scheduled step after its evidence appeared, up to 4× its step. The
 * rules run synchronously between two batches (fit is synchronous), over the in-memory series
 * as they are: nothing is copied.
 */
import type { Callback, EpochLogs, StepContext } from '../engine/callbacks.js';
import { MemoryRun } from '../log/memory-provider.js';
import type { TextSink } from '../log/text.js';
import type { HistogramOptions, RecordSink } from '../probe/sink.js';
import { diagnoseData, type DiagnoseOptions } from './diagnose.js';
import type { Verdict } from './rule.js';
import { buildRunData, parameterHistogramTags } from './run-data.js';
import { RULES } from './rules/index.js';

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
  /** Where verdict lines are printed. Defaults to console.log; null prints nothing. */
  print?: ((line: string) => void) | null;
}

const VALIDATION_LOSS_TAG = 'val_loss';

/** First evaluation step; later ones are CHECK_GROWTH times the previous one. */
const FIRST_CHECK = 16;
const CHECK_GROWTH = 4;

export class Diagnoser implements Callback {
  /** Give this to the probes: it keeps their records for the rules and passes them on. */
  readonly sink: RecordSink;
  /** Every verdict fired so far, in firing order (each check and layer once). */
  readonly verdicts: Verdict[] = [];
  private readonly run = new MemoryRun();
  private readonly name: string;
  private readonly fired = new Set<string>();
  private readonly print: ((line: string) => void) | null;
  private nextCheck = FIRST_CHECK;
  private nonfiniteSeen = false;
  /** Optimizer steps so far: validation losses are recorded at the step they follow. */
  private steps = 0;
  /** Whether `val_loss` records come through the sink (then epoch logs are not added). */
  private validationLogged = false;
  /** Whether any non-finite record arrived: until then `nonfinite` has nothing to find. */
  private everNonfinite = false;

  constructor(private readonly args: DiagnoserArgs = {}) {
    this.name = args.name ?? 'run';
    this.print = args.print === undefined ? (line) => console.log(line) : args.print;
    const next = args.sink;
    const run = this.run;
    this.sink = {
      scalar: (tag: string, value: number, step: number, wallTime?: number): void => {
        if (!Number.isFinite(value) || (value > 0 && tag.startsWith('nonfinite/'))) {
          this.nonfiniteSeen = this.everNonfinite = true;
        }
        if (tag === VALIDATION_LOSS_TAG) this.validationLogged = true;
        // The rules read no wall time: 0 spares a clock call per record (~1 µs on a VM).
        run.scalar(tag, value, step, wallTime ?? 0);
        next?.scalar(tag, value, step, wallTime);
      },
      histogram: (
        tag: string,
        values: ArrayLike<number>,
        step: number,
        options?: HistogramOptions,
      ): void => {
        // The rules read a parameter's first histogram (initialization) and, only where no
        // update ratio is logged (not gradscope's probes), its last: the first one is kept.
        if (!tag.startsWith('activations/') && !run.histogramSeries.has(tag)) {
          run.histogram(tag, values, step, options);
        }
        next?.histogram(tag, values, step, options);
      },
    };
  }

  onBatchEnd(context: StepContext): void {
    this.steps = context.step + 1;
    if (this.nonfiniteSeen || this.steps >= this.nextCheck) {
      if (this.steps >= this.nextCheck) this.nextCheck *= CHECK_GROWTH;
      this.nonfiniteSeen = false;
      this.evaluate(context.step, context.model);
    }
  }

  onTrainEnd(): void {
    this.evaluate(this.steps, null);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    // For `overfitting`; kept in memory only, unless the run logs validation loss itself.
    if (logs.val_loss !== undefined && !this.validationLogged) {
      this.run.scalar(VALIDATION_LOSS_TAG, logs.val_loss, this.steps);
    }
  }

  /** Runs the rules over the records so far, in place (no copy of a series). */
  private evaluate(step: number, model: { stopTraining: boolean } | null): void {
    const run = this.run;
    const tags = run.tags();
    const histograms = new Map(
      parameterHistogramTags(tags).map((tag) => [tag, run.histogramSeries.get(tag) ?? []]),
    );
    const scalars = run.scalarColumns();
    const data = buildRunData({ name: this.name, tags, scalars, histograms });
    const rules = this.everNonfinite ? RULES : RULES.filter((rule) => rule.name !== 'nonfinite');
    const { verdicts } = diagnoseData(data, { thresholds: this.args.thresholds, rules });
    for (const verdict of verdicts) {
      const key = `${verdict.check}|${verdict.layer ?? ''}`;
      if (this.fired.has(key)) continue;
      this.fired.add(key);
      this.verdicts.push(verdict);
      this.print?.(`gradscope: ${this.name}: step ${step}: ${describe(verdict)}`);
      this.args.texts?.text(`verdicts/${verdict.check}`, markdown(verdict), step);
      const stop =
        (verdict.check === 'nonfinite' && (this.args.stopOnNonfinite ?? true)) ||
        (verdict.severity === 'error' && this.args.stopOnError === true);
      if (stop && model !== null) model.stopTraining = true;
    }
  }
}

function describe(v: Verdict): string {
  const where = v.layer === null ? '' : ` at ${v.layer}`;
  return `${v.severity} ${v.check}${where}: ${v.message}. Remedy: ${v.remedy}`;
}

/** A verdict as TensorBoard's Text tab renders it (markdown). */
export function markdown(v: Verdict): string {
  const steps = v.firstStep === null ? '' : ` (steps ${v.firstStep}–${v.lastStep ?? v.firstStep})`;
  const evidence = Object.entries(v.evidence)
    .map(([k, value]) => `${k}=${value}`)
    .join(', ');
  return `**${v.severity}** \`${v.check}\`${v.layer === null ? '' : ` at \`${v.layer}\``}${steps}: ${v.message}.\n\nEvidence: ${evidence}.\n\nRemedy: ${v.remedy}.`;
}
