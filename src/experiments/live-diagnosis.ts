/**
 * The live Diagnoser (src/diagnose/diagnoser.ts) in the experiments' training: between a run's
 * probes and its writer, so that each verdict is written into the run as a text summary when it
 * first fires (TensorBoard's Text tab shows it, with its step) and printed through `print`, where
 * the experiment trains on the CLI's own thread. Training that goes non-finite is stopped by the
 * experiments' TerminateOnNonFinite, whose record the report reads, as before: not by the
 * Diagnoser. The report's verdicts are `diagnose`'s on the written runs, which the Diagnoser's
 * final verdicts equal (test/diagnose/diagnoser.test.ts).
 */
import type { Callback } from '../engine/callbacks.js';
import { Diagnoser, type DiagnoserArgs } from '../diagnose/diagnoser.js';
import type { TextSink } from '../log/text.js';
import type { RecordSink } from '../probe/sink.js';

/** The command training a run and the flags it takes (DiagnoserArgs.command). */
export type LiveCommand = NonNullable<DiagnoserArgs['command']>;

/** What a training function takes for its live Diagnoser. */
export interface LiveDiagnosisArgs {
  /**
   * The run's name in verdict lines, as its folder below the run directory ('depth/he_he').
   * Defaults to the name the training function gives it (its model's, for most).
   */
  runName?: string;
  /** Where each verdict's line goes when it first fires. Defaults to nowhere. */
  onVerdict?: (line: string) => void;
  /** The command training the run and the flags it takes, for the remedies. Defaults to none. */
  command?: LiveCommand;
}

export interface DiagnosedProbesArgs {
  /** The run's name, verdict lines and command, as the training function was given them. */
  live: LiveDiagnosisArgs;
  /** The run's name where `live` gives none. */
  name: string;
  /** The run's writer: the probes' records go on to it, and the verdicts where it takes text. */
  sink: RecordSink & Partial<TextSink>;
  /** Makes the run's probes, writing into the sink given. */
  probes: (sink: RecordSink) => Callback[];
}

/** The run's probes writing through a Diagnoser into `sink`, and the Diagnoser after them. */
export function diagnosedProbes({ live, name, sink, probes }: DiagnosedProbesArgs): Callback[] {
  const texts = typeof sink.text === 'function' ? (sink as TextSink) : undefined;
  const diagnoser = new Diagnoser({
    sink,
    texts,
    name: live.runName ?? name,
    print: live.onVerdict ?? null,
    stopOnNonfinite: false,
    command: live.command,
  });
  return [...probes(diagnoser.sink), diagnoser];
}
