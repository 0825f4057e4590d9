/**
 * The run as the live Diagnoser keeps it while `fit` writes it: what the rules read of it, at a
 * few nanoseconds per record.
 *
 * - Scalars go into one log (scalar-log.ts) and move into per-tag columns when the rules read
 *   them (measured in place on the reference model, a step's ~65 records replayed after the
 *   step: 3–4 µs into the log, 7.5–9 µs into per-tag arrays, both with about 1 µs of
 *   replaying). Wall times read 0: no rule reads them.
 * - The probes repeat one sequence of tags step after step, so each record's tag index is found
 *   by comparing its tag with the one that came next last time, a map lookup only where the
 *   sequence changes (a group with a longer interval). A scalar group (sink.ts ScalarGroup,
 *   what the probes write through) has its tags' indexes found once, when it is made.
 * - Non-finite values (and positive counts of `nonfinite/…` tags) are looked for once per
 *   step (`nonFiniteArrived`).
 * - Of each parameter's histograms (weights/…, gradients/…; not activations/…, which no rule
 *   reads) all are kept, bucketed as they come, until the scalars that stand in for them have
 *   come (`standIns`); from then on the first, which `poor_initialization` reads, and of the
 *   later ones only what the rules read then (live-histograms.ts): those with a NaN or
 *   ±Infinity (`nonfinite`), and once any non-finite record has come, the latest too
 *   (`unchanged_weights`, where update ratios are all non-finite). So the rules give the
 *   verdicts they give on the written run, and gradscope's probes, which log the stand-ins
 *   unless their interval is 'never', cost a healthy run a look at the Σx² they measured of
 *   each histogram's values (HistogramOptions.sumOfSquares: finite only if every value is),
 *   or where none came a pass that tells they are finite (`allFinite`, the engine's SIMD Σx²
 *   in the Diagnoser's LiveRun), not a bucketing nor a copy (in place on the reference model,
 *   2026-12-03: keeping the latest histogram's values cost 0.2–0.8 ms an epoch, and the
 *   thread's hand-overs copied them again; the passes, 0.5 ms of the sink's 2.2). Gradient
 *   histograms have one more stand-in, any layer's `dead_fraction`: a run without one gets
 *   `dead_relu` from the share of zero gradients in every gradient histogram
 *   (rules/dead-relu.ts). So a model with no ReLU layer, or probed with activations 'never',
 *   keeps every gradient histogram, bucketed as it comes (about 9 ns a value: 0.3 ms a
 *   histogram step of the reference model).
 * - With the rules on a thread of their own (evaluations.ts), the training thread's LiveRun
 *   hands what came since the last evaluation (`takeDelta`: the log's words, new tags, the
 *   histograms that changed) to a LiveRun there, which takes it in as if it had been recorded
 *   there (`appendDelta`) and is the one the rules read.
 */
import { everyFinite } from '../engine/statistics.js';
import { DEFAULT_BUCKET_COUNT } from '../log/histograms.js';
import type { HistogramPoint, ScalarColumns } from '../log/points.js';
import { gradscopeWriter } from '../log/proto.js';
import {
  deadFractionTag,
  gradientsHistogramTag,
  gradNormTag,
  updateRatioTag,
  weightNormTag,
} from '../probe/tags.js';
import { HistogramColumn } from './live-histograms.js';
import type { HistogramOptions, RecordSink, ScalarGroup } from '../probe/sink.js';
import { buildRunData, columnsReading, type RunContents, type RunData } from './run-data.js';
import { ScalarLog, type LogDelta, type LogGroup } from './scalar-log.js';
import type { HistogramDelta } from './live-histograms.js';

/**
 * What a LiveRun got since its last `takeDelta`, for a LiveRun on another thread to take in
 * (`appendDelta`; the Diagnoser's evaluation worker): plain data, for postMessage.
 */
export interface RunDelta {
  /** The tags that appeared since, in order, each a scalar's or a histogram's. */
  newTags: { tag: string; histogram: boolean }[];
  log: LogDelta;
  /** Per histogram tag that got records since, what its column got. */
  histograms: [string, HistogramDelta][];
}

const DEAD_FRACTION_PREFIX = deadFractionTag('');
const GRADIENTS_PREFIX = gradientsHistogramTag('');

/** What tells a histogram whose finite Σx² came with it (HistogramOptions.sumOfSquares). */
const KNOWN_FINITE = (): boolean => true;

/** Whether `tag` counts non-finite values (`nonfinite/…`): a positive count is one arriving. */
function isCounter(tag: string): boolean {
  return tag.startsWith('nonfinite/');
}

export class LiveRun implements RecordSink {
  /** As a RunWriter's files name their writer: gradscope, and the command if one is given. */
  private readonly writers: string[];
  private readonly log: ScalarLog;
  private readonly indexes = new Map<string, number>();
  /** Whether any layer's `dead_fraction` has come (a stand-in of the gradient histograms). */
  private deadFractionLogged = false;
  private readonly histograms = new Map<string, HistogramColumn>();
  /** By tag, in first-appearance order: what `contents` gives for it, made with the tag. */
  private readonly scalarReaders = new Map<string, ScalarColumns>();
  private readonly histogramReaders = new Map<string, () => HistogramPoint[]>();
  /** Every tag in first-appearance order (RunTags.order). */
  private readonly order: string[] = [];
  /** What `contents` gives, and `buildRunData` made of it, until a new tag appears. */
  private built: { contents: RunContents; data: RunData | null } | null = null;
  /** `contents` calls so far: the columns and histograms it gives read the records anew at each. */
  private evaluations = 0;
  /** The scalar tags in the order records last came, their indexes, and the next one's place. */
  private readonly sequence: string[] = [];
  private readonly sequenceIndexes: number[] = [];
  private cursor = 0;

  /** Tags that a `takeDelta` gave (of `order`), and the histograms that changed since, by tag. */
  private tagsTaken = 0;
  private readonly histogramsChanged = new Map<string, HistogramColumn>();

  /**
   * `command` names the writer, as a RunWriter's files do; `allFinite` tells whether a
   * histogram's values are all finite (defaults to a loop over them; the Diagnoser gives the
   * engine's SIMD pass, which this module does not load: the rules' thread runs it too);
   * `onNonFinite` is called as a non-finite scalar record (or a positive count) arrives.
   */
  constructor(
    command?: string,
    private readonly allFinite: (values: ArrayLike<number>) => boolean = everyFinite,
    onNonFinite?: () => void,
  ) {
    this.writers = [gradscopeWriter(command)];
    this.log = new ScalarLog(onNonFinite);
  }

  /** Words of scalar records held for the next `takeDelta` (4 bytes each). */
  get heldWords(): number {
    return this.log.loggedWords;
  }

  /**
   * What came since the last call, for a LiveRun on another thread (`appendDelta`). From the
   * first call on this run keeps no records of its own: read the other one.
   */
  takeDelta(): RunDelta {
    const newTags = this.order
      .slice(this.tagsTaken)
      .map((tag) => ({ tag, histogram: this.histograms.has(tag) }));
    this.tagsTaken = this.order.length;
    const histograms: [string, HistogramDelta][] = [];
    for (const [tag, column] of this.histogramsChanged) histograms.push([tag, column.takeDelta()]);
    this.histogramsChanged.clear();
    return { newTags, log: this.log.takeDelta(), histograms };
  }

  /** Takes in what another thread's LiveRun gave (`takeDelta`), as if recorded here. */
  appendDelta(delta: RunDelta): void {
    const received = new Map(delta.histograms);
    for (const { tag, histogram } of delta.newTags) {
      if (!histogram) this.addColumn(tag);
      else {
        this.addHistogram(tag, HistogramColumn.received(received.get(tag)!));
        received.delete(tag);
      }
    }
    this.log.appendDelta(delta.log);
    // The histograms that were here before this delta.
    for (const [tag, histogram] of received) this.histograms.get(tag)!.appendDelta(histogram);
  }

  /** Keeps a scalar record. */
  scalar(tag: string, value: number, step: number): void {
    const c = this.cursor;
    let index: number;
    if (this.sequence[c] === tag) {
      index = this.sequenceIndexes[c];
      this.cursor = c + 1;
    } else index = this.resequence(tag);
    this.log.record(index, value, step);
  }

  /**
   * A group of `tags` (sink.ts ScalarGroup): each write keeps one record per tag. Its tags'
   * indexes are found at the first write, so that new tags take their place in RunTags.order
   * when their first records come, as single records' do.
   */
  scalarGroup(tags: readonly string[]): ScalarGroup {
    let group: LogGroup | null = null;
    const { log } = this;
    return {
      write: (values, step) => {
        if (group === null) {
          const indexes = Uint32Array.from(
            tags,
            (tag) => this.indexes.get(tag) ?? this.addColumn(tag),
          );
          const counterPlaces = Uint32Array.from(
            tags.flatMap((tag, i) => (isCounter(tag) ? [i] : [])),
          );
          group = log.addGroup(indexes, counterPlaces);
        }
        log.group(group, values, step);
      },
    };
  }

  /**
   * The index of `tag`, where it was not the one expected: the sequence restarting, a tag seen
   * elsewhere in the sequence (the cursor moves after it), or a new tag, put into the sequence
   * at the cursor.
   */
  private resequence(tag: string): number {
    if (this.sequence[0] === tag) {
      this.cursor = 1;
      return this.sequenceIndexes[0];
    }
    let index = this.indexes.get(tag);
    if (index !== undefined) {
      this.cursor = this.sequenceIndexes.indexOf(index) + 1;
      return index;
    }
    index = this.addColumn(tag);
    this.sequence.splice(this.cursor, 0, tag);
    this.sequenceIndexes.splice(this.cursor, 0, index);
    this.cursor++;
    return index;
  }

  /** A column for the new scalar tag `tag`; returns its index. */
  private addColumn(tag: string): number {
    if (tag.startsWith(DEAD_FRACTION_PREFIX)) this.deadFractionLogged = true;
    const index = this.log.addTag(isCounter(tag));
    this.indexes.set(tag, index);
    this.scalarReaders.set(tag, columnsReading(this.perEvaluation(() => this.log.columns(index))));
    this.addTag(tag);
    return index;
  }

  private addTag(tag: string): void {
    this.order.push(tag);
    this.built = null;
  }

  /**
   * Whether a non-finite value, or a positive count of a `nonfinite/…` tag, arrived since the
   * last call (the Diagnoser asks once per step).
   */
  nonFiniteArrived(): boolean {
    return this.log.nonFiniteArrived();
  }

  /** The number of records of scalar `tag` so far. */
  scalarCount(tag: string): number {
    const index = this.indexes.get(tag);
    return index === undefined ? 0 : this.log.count(index);
  }

  /** Keeps what the rules read of a histogram record (see the top of this file). */
  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    options?: HistogramOptions,
  ): void {
    if (tag.startsWith('activations/')) return;
    const bucketCount = options?.bucketCount ?? DEFAULT_BUCKET_COUNT;
    const column = this.histograms.get(tag);
    if (column !== undefined) {
      // Once replaced, always: stand-ins are not looked for again (a few strings a record).
      const replaced = column.replaced || this.hasStandIns(tag);
      const keepLatest = replaced && this.log.nonFiniteSoFar();
      // A finite Σx² measured by the caller tells it without a pass.
      const finite = Number.isFinite(options?.sumOfSquares) ? KNOWN_FINITE : this.allFinite;
      if (column.add(values, step, bucketCount, { replaced, keepLatest }, finite)) {
        this.histogramsChanged.set(tag, column);
      }
      return;
    }
    this.addHistogram(tag, new HistogramColumn(values, step, bucketCount, this.hasStandIns(tag)));
  }

  private addHistogram(tag: string, column: HistogramColumn): void {
    this.histograms.set(tag, column);
    this.histogramsChanged.set(tag, column);
    this.histogramReaders.set(
      tag,
      this.perEvaluation(() => column.points()),
    );
    this.addTag(tag);
  }

  /**
   * Whether every stand-in of histogram `tag` (`standIns`) has records, and for a gradient
   * histogram some layer's dead fraction (see the top of this file).
   */
  private hasStandIns(tag: string): boolean {
    const needed = standIns(tag);
    if (needed === null) return false;
    if (tag.startsWith(GRADIENTS_PREFIX) && !this.deadFractionLogged) return false;
    return needed.every((anyOf) => anyOf.some((scalar) => this.indexes.has(scalar)));
  }

  /**
   * The run so far as `buildRunData` reads it; the point arrays are the run's own, each tag's
   * taken when first read after this call (which tells the log what the rules read), so read it
   * before more records come (the Diagnoser's evaluations do): a tag read later gets the later
   * records too. The same object is given until a new tag appears, its columns and histograms
   * reading the records anew after each call. Its writer is gradscope (with the command the
   * LiveRun was made for), as a RunWriter's files name it: `fit` is gradscope's engine, whoever
   * named the tags.
   */
  contents(name: string): RunContents {
    this.log.startEvaluation();
    this.evaluations++;
    if (this.built?.contents.name === name) return this.built.contents;
    const scalars = new Map(this.scalarReaders);
    const histograms = new Map(this.histogramReaders);
    const tags = {
      scalars: [...this.indexes.keys()].sort(),
      histograms: [...this.histograms.keys()].sort(),
      texts: [],
      order: [...this.order],
    };
    const contents = { name, tags, scalars, histograms, writers: this.writers };
    this.built = { contents, data: null };
    return contents;
  }

  /**
   * The run so far as the rules read it (see `contents`): the RunData that `buildRunData` made
   * when the tags last changed, whose series read each evaluation's records, as a new object
   * (rules keep what they compute once per RunData: run-data.ts `oncePerRun`). Building it anew
   * measured 0.2–0.5 ms an evaluation on the reference model, a fifth of the evaluation; while
   * the tags stay, which tag is the loss (say) stays too: a live run's tags each have a record.
   */
  data(name: string): RunData {
    const contents = this.contents(name);
    const built = this.built!;
    built.data ??= buildRunData(contents);
    return { ...built.data };
  }

  /** `read()`, read again at its first call after each `contents` call. */
  private perEvaluation<T>(read: () => T): () => T {
    let value: T | undefined;
    let readAt = -1;
    return () => {
      if (readAt !== this.evaluations) {
        value = read();
        readAt = this.evaluations;
      }
      return value as T;
    };
  }
}

/**
 * The scalars that the rules read in place of histogram `tag`: one tag of each list (the L2 or
 * the squared form). A parameter's gradient norm stands in for its gradients (gradientNorm in
 * rules/gradient-norms.ts); its weight norm and update ratio for its weights (update-scale.ts,
 * unchanged-weights.ts). Null for a tag gradscope's probes do not name so (a Keras-style
 * `dense/kernel_0`): no scalar stands in for it.
 */
export function standIns(tag: string): string[][] | null {
  const slash = tag.indexOf('/');
  const kind = tag.slice(0, slash);
  const variable = tag.slice(slash + 1);
  if (kind === 'gradients') return [[gradNormTag(variable), gradNormTag(variable, 'squared')]];
  if (kind === 'weights') {
    return [
      [weightNormTag(variable), weightNormTag(variable, 'squared')],
      [updateRatioTag(variable)],
    ];
  }
  return null;
}
