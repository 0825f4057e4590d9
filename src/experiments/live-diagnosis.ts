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

/** Command `name` with the flags the CLI gave its context; none without them. */
export function liveCommand(
  name: string,
  flags: ReadonlySet<string> | undefined,
): LiveCommand | undefined {
  return flags === undefined ? undefined : { name, flags };
}

export interface DiagnosedProbesArgs {
  /** The run's name in printed verdicts, as its folder below the run directory ('depth/he_he'). */
  name: string;
  /** The run's writer: the probes' records go on to it, and the verdicts where it takes text. */
  sink: RecordSink & Partial<TextSink>;
  /** Makes the run's probes, writing into the sink given. */
  probes: (sink: RecordSink) => Callback[];
  /** Where each verdict's line goes when it first fires. Defaults to nowhere. */
  print?: (line: string) => void;
  /** The command training the run and its flags, for the remedies. Defaults to none. */
  command?: LiveCommand;
}

/** The run's probes writing through a Diagnoser into `sink`, and the Diagnoser after them. */
export function diagnosedProbes({
  name,
  sink,
  probes,
  print,
  command,
}: DiagnosedProbesArgs): Callback[] {
  const texts = typeof sink.text === 'function' ? (sink as TextSink) : undefined;
  const diagnoser = new Diagnoser({
    sink,
    texts,
    name,
    print: print ?? null,
    stopOnNonfinite: false,
    command,
  });
  return [...probes(diagnoser.sink), diagnoser];
}
