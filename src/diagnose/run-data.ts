/**
 * A run's data as the rules read it, loaded through RunProvider, whoever wrote the run:
 *
 * - gradscope (src/probe/tags.ts): `loss` per step, `grad_norm/<var>`, `update_ratio/<var>`,
 *   `weight_norm/<var>`, `signal_norm/<layer>`, `dead_fraction/<layer>`,
 *   `saturated_fraction/<layer>`, `activation_std/<layer>`, `nonfinite/*`,
 *   `global_norm/before_clip`, histograms `weights/<var>`, `gradients/<var>`; epoch logs as
 *   Keras writes them (below);
 * - PyTorch's SummaryWriter as its users log: `loss` or `train/loss` per step, validation loss
 *   as `val_loss`, `validation/loss` or `val/loss`, `grad_norm/<param>` scalars and
 *   `gradients/<param>`, `weights/<param>` histograms with PyTorch names (`0.weight`,
 *   `fc1.bias`, `encoder.layers.3.weight`);
 * - the Keras TensorBoard callback: a folder with `train/` and `validation/` runs holding
 *   `epoch_loss` (and `epoch_accuracy`), weight histograms named like `dense/kernel_0` or
 *   `dense/kernel`. The two are one run here (see `groupRuns`).
 *
 * Layer order. Writers log a model's parameters in model order, so parameters (and layers)
 * are ordered by the first appearance of any of their tags (RunTags.order): first is the input
 * side, last the output side.
 *
 * Origin. A run is "gradscope" when its event files name gradscope as their writer (TensorBoard's
 * `source_metadata.writer`, which gradscope's RunWriter always sets, "gradscope <command>" when
 * it knows the command, and other writers set to their own name or leave out), whatever tags it
 * holds; remedies then name gradscope flags (only the command's own, where it is known and the
 * caller says which flags each command takes: DiagnoseOptions.commandFlags). Only where no file
 * names a writer (memory, files of older writers) is it told by a tag only
 * gradscope's probes write (`nonfinite/*`, `global_norm/*`).
 */
import type { HistogramPoint, RunTags, ScalarColumns, ScalarPoint } from '../log/points.js';
import type { RunProvider } from '../log/provider.js';
import { columnPoints, pointColumns } from '../log/scalar-columns.js';
import { commandOfWriter } from '../log/proto.js';
import { parseThroughTimeTag, type ThroughTimeTag } from '../probe/tags.js';

/**
 * One scalar tag as the rules read it. `columns` is how it was read; `points`, the same points
 * as objects, is made on first use: rules over long series (every tag, every parameter) read the
 * columns, and rules that read a few short series keep their simpler code.
 */
export interface Series {
  readonly tag: string;
  readonly columns: ScalarColumns;
  readonly points: ScalarPoint[];
}

/**
 * A series over `columns`, its `points` made on first read, and made again when the columns'
 * steps are another array: a live run's columns (live-run.ts) give each evaluation's records.
 */
export function seriesOf(tag: string, columns: ScalarColumns): Series {
  let points: ScalarPoint[] = [];
  let pointsOf: Float64Array | null = null;
  return {
    tag,
    columns,
    get points() {
      const { steps } = columns;
      if (steps !== pointsOf) {
        points = columnPoints(columns);
        pointsOf = steps;
      }
      return points;
    },
  };
}

/**
 * Columns whose every read goes to `read` (own getters, an object literal's, so that a copy
 * `{ ...columns, values }` reads them too): for columns that change under their reader, a live
 * run's, and those derived from them.
 */
export function columnsReading(read: () => ScalarColumns): ScalarColumns {
  return {
    get steps() {
      return read().steps;
    },
    get wallTimes() {
      return read().wallTimes;
    },
    get values() {
      return read().values;
    },
  };
}

/** A series computed from other data, given as points. */
export function seriesFromPoints(tag: string, points: ScalarPoint[]): Series {
  return { tag, columns: pointColumns(points), points };
}

/**
 * `compute`, run once per run data: for what several rules read (each evaluation reads a
 * RunData of its own, never changed, so the result holds for it).
 */
export function oncePerRun<T>(compute: (run: RunData) => T): (run: RunData) => T {
  const computed = new WeakMap<RunData, T>();
  return (run) => {
    if (computed.has(run)) return computed.get(run) as T;
    const result = compute(run);
    computed.set(run, result);
    return result;
  };
}

/** The number of points of `series`, without making its point objects. */
export function seriesLength(series: Series | undefined): number {
  return series?.columns.steps.length ?? 0;
}

export interface HistogramSeries {
  readonly tag: string;
  /** Read on use, for a source that buckets them then (LiveRun). */
  readonly points: HistogramPoint[];
}

export interface ParameterData {
  /** As the run names it: `dense_1/kernel`, `0.weight`, `dense/kernel_0`. */
  name: string;
  /** The layer it belongs to: the name without its last component. */
  layer: string;
  /** A bias (or other offset vector): left out of the first/last-layer gradient ratios. */
  isBias: boolean;
  gradNorm?: Series;
  updateRatio?: Series;
  weightNorm?: Series;
  gradients?: HistogramSeries;
  weights?: HistogramSeries;
}

export interface LayerData {
  name: string;
  /** ‖∂L/∂a‖, the backprop signal at the layer's output. */
  signalNorm?: Series;
  deadFraction?: Series;
  saturatedFraction?: Series;
  activationStd?: Series;
}

/** One profile through time: ‖∂L/∂h_t‖ (or ‖∂L/∂c_t‖) against t = 1 … T, at one training step. */
export interface ThroughTimeSeries extends ThroughTimeTag {
  /** Record steps are the time steps t. */
  series: Series;
}

export interface RunData {
  /** The run's name: the provider's, or a Keras folder's for its train/validation pair. */
  name: string;
  origin: 'gradscope' | 'foreign';
  /** The gradscope command that wrote the run ('depth'), when its files name one. */
  command?: string;
  /**
   * The flags (`--learning-rate`) that command takes, when the caller knows them: remedies that
   * name another flag give the general change instead. Set by diagnoseData.
   */
  acceptedFlags?: ReadonlySet<string>;
  /** Training loss: per step, or per epoch for Keras-style runs. */
  loss?: Series;
  validationLoss?: Series;
  learningRate?: Series;
  nonfiniteLoss?: Series;
  nonfiniteGradients?: Series;
  nonfiniteWeights?: Series;
  /** √Σg² over every gradient, before clipping. */
  globalGradNorm?: Series;
  /** In model order, input side first. */
  parameters: ParameterData[];
  /** In model order, input side first. */
  layers: LayerData[];
  /** Through-time profiles (`through_time/<layer>/step_<s>`), in tag order. */
  throughTime: ThroughTimeSeries[];
  /** Every scalar series of the run (all sub-runs), for non-finite values anywhere. */
  scalars: Series[];
  /** Every histogram series of the run that is a parameter's weights or gradients. */
  histograms: HistogramSeries[];
}

/** The provider runs that make one diagnosed run, and its name. */
export interface RunGroup {
  name: string;
  /** The run holding training data (the only one, for a plain run). */
  train: string;
  /** A Keras-style validation sibling. */
  validation?: string;
}

export const LOSS_TAGS = [
  'loss',
  'train/loss',
  'train_loss',
  'Loss/train',
  'training/loss',
  'epoch_loss',
];
export const VALIDATION_LOSS_TAGS = [
  'val_loss',
  'validation/loss',
  'val/loss',
  'Loss/val',
  'Loss/validation',
  'valid/loss',
];
export const LEARNING_RATE_TAGS = [
  'lr',
  'learning_rate',
  'train/lr',
  'train/learning_rate',
  'epoch_learning_rate',
];
const GRADSCOPE_PREFIXES = ['nonfinite/', 'global_norm/'];
const SQUARED = '_sq';

/**
 * Groups a provider's runs: `<folder>/train` and `<folder>/validation` make one run named
 * `<folder>` ('.' for the root), as the Keras callback and gradscope's epoch logs lay them out;
 * a lone `<folder>/validation` stays a run of its own. Sorted by name.
 */
export function groupRuns(runs: readonly string[]): RunGroup[] {
  const names = new Set(runs);
  const groups: RunGroup[] = [];
  for (const run of runs) {
    const split = splitRun(run);
    if (split?.leaf === 'validation' && names.has(`${split.prefix}train`)) continue;
    if (split?.leaf === 'train') {
      const validation = `${split.prefix}validation`;
      groups.push({
        name: split.prefix === '' ? '.' : split.prefix.slice(0, -1),
        train: run,
        ...(names.has(validation) ? { validation } : {}),
      });
    } else groups.push({ name: run, train: run });
  }
  return groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function splitRun(run: string): { prefix: string; leaf: string } | undefined {
  const slash = run.lastIndexOf('/');
  const leaf = run.slice(slash + 1);
  if (leaf !== 'train' && leaf !== 'validation') return undefined;
  return { prefix: slash < 0 ? '' : run.slice(0, slash + 1), leaf };
}

/** What one run holds, already read: the input of `buildRunData`. */
export interface RunContents {
  name: string;
  tags: RunTags;
  /** Every scalar series of the run, by tag. */
  scalars: ReadonlyMap<string, ScalarColumns>;
  /**
   * The histogram series named by `parameterHistogramTags(tags)`, by tag; or a function giving
   * them, called on each of the rules' reads (the live run buckets its latest values at the
   * first, and gives the same points until its next evaluation).
   */
  histograms: ReadonlyMap<string, HistogramPoint[] | (() => HistogramPoint[])>;
  /** A Keras-style validation sibling's run name and scalar series. */
  validation?: { run: string; scalars: ReadonlyMap<string, ScalarColumns> };
  /** The writers the run's event files name (RunProvider.writers); none without files. */
  writers?: readonly string[];
}

/** The histogram tags the rules read: parameters' weights and gradients (not activations). */
export function parameterHistogramTags(tags: RunTags): string[] {
  return tags.histograms.filter((tag) => !tag.startsWith('activations/'));
}

/** Reads what the rules need of `group` through `provider`. */
export async function loadRunData(provider: RunProvider, group: RunGroup): Promise<RunData> {
  const tags = await provider.listTags(group.train);
  const read = async <T>(
    run: string,
    list: string[],
    reader: (run: string, tag: string) => Promise<T>,
  ) => {
    const series = new Map<string, T>();
    for (const tag of list) series.set(tag, await reader(run, tag));
    return series;
  };
  const scalars = await read(group.train, tags.scalars, (r, t) => provider.readScalarColumns(r, t));
  const histograms = await read(group.train, parameterHistogramTags(tags), (r, t) =>
    provider.readHistograms(r, t),
  );
  let validation: RunContents['validation'];
  if (group.validation !== undefined) {
    const validationTags = await provider.listTags(group.validation);
    const series = await read(group.validation, validationTags.scalars, (r, t) =>
      provider.readScalarColumns(r, t),
    );
    validation = { run: group.validation, scalars: series };
  }
  const writers = await provider.writers?.(group.train);
  return buildRunData({ name: group.name, tags, scalars, histograms, validation, writers });
}

/** The rules' view of a run's contents. Pure: shares the contents' points, never changes them. */
export function buildRunData(contents: RunContents): RunData {
  const scalars = new Map<string, Series>();
  for (const [tag, columns] of contents.scalars) scalars.set(tag, seriesOf(tag, columns));
  const allScalars = [...scalars.values()];
  let validationLoss = firstOf(scalars, VALIDATION_LOSS_TAGS);
  if (contents.validation !== undefined) {
    const { run, scalars: validationScalars } = contents.validation;
    for (const [tag, columns] of validationScalars) {
      const series = seriesOf(`${run}:${tag}`, columns);
      allScalars.push(series);
      const isLoss =
        tag === 'epoch_loss' || VALIDATION_LOSS_TAGS.includes(tag) || LOSS_TAGS.includes(tag);
      if (isLoss && seriesLength(series) > 0) validationLoss ??= series;
    }
  }
  const { tags } = contents;
  const layout = layoutOf(tags);
  const parameters = parametersOf(layout.parameters, scalars);
  const histograms: HistogramSeries[] = [];
  for (const [k, parameter] of parameters.entries()) {
    for (const kind of ['weights', 'gradients'] as const) {
      const tag = layout.parameters[k][kind];
      const points = tag === undefined ? undefined : contents.histograms.get(tag);
      if (tag === undefined || points === undefined) continue;
      const series = typeof points === 'function' ? lazyHistograms(tag, points) : { tag, points };
      parameter[kind] = series;
      histograms.push(series);
    }
  }
  return {
    name: contents.name,
    origin: originOf(contents),
    command: commandOf(contents),
    loss: firstOf(scalars, LOSS_TAGS),
    validationLoss,
    learningRate: firstOf(scalars, LEARNING_RATE_TAGS),
    nonfiniteLoss: scalars.get('nonfinite/loss'),
    nonfiniteGradients: scalars.get('nonfinite/gradients'),
    nonfiniteWeights: scalars.get('nonfinite/weights'),
    globalGradNorm: scalars.get('global_norm/before_clip'),
    parameters,
    layers: layersOf(layout.layers, scalars),
    throughTime: throughTimeOf(layout.throughTime, scalars),
    scalars: allScalars,
    histograms,
  };
}

function originOf({ writers = [], tags }: RunContents): RunData['origin'] {
  const gradscope =
    writers.length > 0
      ? writers.some((writer) => commandOfWriter(writer) !== undefined)
      : tags.order.some((tag) => GRADSCOPE_PREFIXES.some((p) => tag.startsWith(p)));
  return gradscope ? 'gradscope' : 'foreign';
}

/** The one command every gradscope file of the run names; undefined when none or several do. */
function commandOf({ writers = [] }: RunContents): string | undefined {
  const commands = new Set(writers.map(commandOfWriter).filter((c) => typeof c === 'string'));
  return commands.size === 1 ? [...commands][0] : undefined;
}

function throughTimeOf(
  layout: Layout['throughTime'],
  scalars: Map<string, Series>,
): ThroughTimeSeries[] {
  const profiles: ThroughTimeSeries[] = [];
  for (const [tag, series] of scalars) {
    const parsed = layout.get(tag);
    if (parsed !== undefined) profiles.push({ ...parsed, series });
  }
  return profiles;
}

function lazyHistograms(tag: string, read: () => HistogramPoint[]): HistogramSeries {
  return {
    tag,
    get points() {
      return read();
    },
  };
}

function firstOf(scalars: Map<string, Series>, tags: readonly string[]): Series | undefined {
  for (const tag of tags) {
    const series = scalars.get(tag);
    if (seriesLength(series) > 0) return series;
  }
  return undefined;
}

const PARAMETER_SCALARS = {
  grad_norm: 'gradNorm',
  update_ratio: 'updateRatio',
  weight_norm: 'weightNorm',
} as const;
/** What a Keras-callback weight histogram is named after: the variable's leaf, as dense/kernel_0. */
const KERAS_VARIABLE =
  /\/(kernel|recurrent_kernel|bias|gamma|beta|moving_mean|moving_variance|embeddings)(_\d+)?(:\d+)?$/;

/**
 * What a run's tags say of its parameters and layers, apart from the data: the grouping of
 * tags that `buildRunData` fills with series. Computed once per RunTags object (a live run
 * gives the same one until a new tag appears), since it parses every tag.
 */
interface Layout {
  parameters: {
    name: string;
    layer: string;
    isBias: boolean;
    scalars: {
      field: (typeof PARAMETER_SCALARS)[keyof typeof PARAMETER_SCALARS];
      tag: string;
      squared: boolean;
    }[];
    weights?: string;
    gradients?: string;
  }[];
  layers: {
    name: string;
    scalars: {
      field: (typeof LAYER_SCALARS)[keyof typeof LAYER_SCALARS];
      tag: string;
      squared: boolean;
    }[];
  }[];
  /** The scalar tags that are through-time profiles, parsed. */
  throughTime: Map<string, ThroughTimeTag>;
}

const layouts = new WeakMap<RunTags, Layout>();

function layoutOf(tags: RunTags): Layout {
  let layout = layouts.get(tags);
  if (layout === undefined)
    layouts.set(
      tags,
      (layout = {
        parameters: parameterLayout(tags),
        layers: layerLayout(tags),
        throughTime: throughTimeLayout(tags),
      }),
    );
  return layout;
}

function throughTimeLayout(tags: RunTags): Layout['throughTime'] {
  const profiles = new Map<string, ThroughTimeTag>();
  for (const tag of tags.scalars) {
    const parsed = parseThroughTimeTag(tag);
    if (parsed !== undefined) profiles.set(tag, parsed);
  }
  return profiles;
}

/** Parameters in first-appearance order, with their scalar and histogram tags. */
function parameterLayout(tags: RunTags): Layout['parameters'] {
  const histogramSet = new Set(tags.histograms);
  const scalarSet = new Set(tags.scalars);
  const byName = new Map<string, Layout['parameters'][number]>();
  const parameter = (name: string): Layout['parameters'][number] => {
    let found = byName.get(name);
    if (found === undefined) {
      const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('.'));
      const leaf = name.slice(slash + 1);
      found = {
        name,
        layer: slash < 0 ? name : name.slice(0, slash),
        isBias: /^(bias|b)(_\d+)?(:\d+)?$/.test(leaf),
        scalars: [],
      };
      byName.set(name, found);
    }
    return found;
  };
  for (const tag of tags.order) {
    const slash = tag.indexOf('/');
    const quantity = tag.slice(0, slash);
    const rest = tag.slice(slash + 1);
    if (histogramSet.has(tag)) {
      if (tag.startsWith('weights/')) parameter(rest).weights = tag;
      else if (tag.startsWith('gradients/')) parameter(rest).gradients = tag;
      else if (KERAS_VARIABLE.test(tag)) {
        // The Keras callback names weight histograms by the variable alone: dense/kernel_0.
        parameter(tag).weights = tag;
      }
      continue;
    }
    if (slash < 0) continue;
    const squared = quantity.endsWith(SQUARED);
    const base = (
      squared ? quantity.slice(0, -SQUARED.length) : quantity
    ) as keyof typeof PARAMETER_SCALARS;
    const field = PARAMETER_SCALARS[base];
    if (field === undefined || !scalarSet.has(tag)) continue;
    parameter(rest).scalars.push({ field, tag, squared });
  }
  return [...byName.values()];
}

/** The parameters of `layout`, with their series. */
function parametersOf(layout: Layout['parameters'], scalars: Map<string, Series>): ParameterData[] {
  return layout.map(({ name, layer, isBias, scalars: fields }) => {
    const parameter: ParameterData = { name, layer, isBias };
    for (const { field, tag, squared } of fields) {
      const series = scalars.get(tag);
      if (series === undefined) continue;
      parameter[field] = squared && field !== 'updateRatio' ? rooted(series) : series;
    }
    return parameter;
  });
}

/**
 * A Σx² series (normKind 'squared') as norms, so that rules see one scale; rooted when first
 * read, as a live run's columns are taken from its log then, and again when its values are
 * another array (a live run's next evaluation).
 */
function rooted({ tag, columns }: Series): Series {
  let roots: ScalarColumns | null = null;
  let rootsOf: Float64Array | null = null;
  return seriesOf(
    tag,
    columnsReading(() => {
      const { values } = columns;
      if (roots === null || values !== rootsOf) {
        roots = { ...columns, values: values.map(Math.sqrt) };
        rootsOf = values;
      }
      return roots;
    }),
  );
}

const LAYER_SCALARS = {
  signal_norm: 'signalNorm',
  dead_fraction: 'deadFraction',
  saturated_fraction: 'saturatedFraction',
  activation_std: 'activationStd',
} as const;

function layerLayout(tags: RunTags): Layout['layers'] {
  const scalarSet = new Set(tags.scalars);
  const byName = new Map<string, Layout['layers'][number]>();
  for (const tag of tags.order) {
    const slash = tag.indexOf('/');
    const quantity = tag.slice(0, slash);
    const squared = quantity === `signal_norm${SQUARED}`;
    const base = (squared ? 'signal_norm' : quantity) as keyof typeof LAYER_SCALARS;
    const field = LAYER_SCALARS[base];
    if (slash < 0 || field === undefined || !scalarSet.has(tag)) continue;
    const name = tag.slice(slash + 1);
    let layer = byName.get(name);
    if (layer === undefined) byName.set(name, (layer = { name, scalars: [] }));
    layer.scalars.push({ field, tag, squared });
  }
  return [...byName.values()];
}

function layersOf(layout: Layout['layers'], scalars: Map<string, Series>): LayerData[] {
  return layout.map(({ name, scalars: fields }) => {
    const layer: LayerData = { name };
    for (const { field, tag, squared } of fields) {
      const series = scalars.get(tag);
      if (series !== undefined) layer[field] = squared ? rooted(series) : series;
    }
    return layer;
  });
}
