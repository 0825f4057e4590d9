/**
 * Saving and loading a model's weights.
 *
 * File format (`.gsw`, little-endian):
 *   bytes 0–3   magic "GSW1"
 *   bytes 4–7   uint32 n, the length of the header
 *   bytes 8…    n bytes of UTF-8 JSON: { format: "gradscope-weights", version: 1, model,
 *               layers: [{ name, className, config }], weights: [{ name, shape, offset }] }
 *               where offset counts float32 values from the start of the data
 *   then        zero padding to a multiple of 4 bytes, then the float32 data of every weight
 *               (trainable and not, e.g. BatchNormalization's moving statistics) in order.
 * Loading matches weights by name and checks shapes; it never loads a partial set. It rejects,
 * naming the file and the entry: a header or entry that is not an object, a missing or
 * non-integer shape, an offset that is not a non-negative integer, and NaN or ±Infinity in
 * the data (unless `allowNonFinite`, e.g. to inspect the weights of a diverged run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ShapeError, ValueError } from './errors.js';
import type { Model as Sequential } from './model.js';
import { clip, quote } from './quote.js';
import { shapeSize, shapeToString } from './tensor.js';

const MAGIC = 'GSW1';

interface WeightsHeader {
  format: 'gradscope-weights';
  version: 1;
  model: string;
  layers: { name: string; className: string; config: Record<string, unknown> }[];
  weights: { name: string; shape: number[]; offset: number }[];
}

export interface LoadWeightsArgs {
  /** Load NaN and ±Infinity values instead of rejecting the file. Defaults to false. */
  allowNonFinite?: boolean;
}

type WeightEntry = WeightsHeader['weights'][number];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON value for a message: short, whatever its type. */
function shown(value: unknown): string {
  return value === undefined ? 'undefined' : clip(JSON.stringify(value));
}

/** Checks one `weights` entry of the header; `at` is its index there. */
function checkEntry(source: string, entry: unknown, at: number): WeightEntry {
  const fail = (problem: string): ValueError =>
    new ValueError(`${source}: weights[${at}]${named(entry)}: ${problem}`);
  if (!isObject(entry)) {
    throw fail(`expected an object { name, shape, offset }. Received: ${shown(entry)}`);
  }
  if (typeof entry.name !== 'string') {
    throw fail(`expected a string name. Received: name=${shown(entry.name)}`);
  }
  const { shape, offset } = entry;
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw fail(
      `expected a shape of non-negative integers, e.g. [784,32]. Received: shape=${shown(shape)}`,
    );
  }
  if (!(Number.isSafeInteger(offset) && (offset as number) >= 0)) {
    throw fail(
      `expected an offset that is a non-negative integer (float32 values from the start of ` +
        `the data). Received: offset=${shown(offset)}`,
    );
  }
  return { name: entry.name, shape: shape as number[], offset: offset as number };
}

function named(entry: unknown): string {
  return isObject(entry) && typeof entry.name === 'string' ? ` (${quote(entry.name)})` : '';
}

export function encodeWeights(model: Sequential): Buffer {
  model.build();
  let offset = 0;
  const weights = model.variables.map((v) => {
    const entry = { name: v.name, shape: [...v.shape], offset };
    offset += v.value.size;
    return entry;
  });
  const header: WeightsHeader = {
    format: 'gradscope-weights',
    version: 1,
    model: model.name,
    layers: model.layers.map((l) => ({
      name: l.name!,
      className: l.className,
      config: l.getConfig(),
    })),
    weights,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = Math.ceil((8 + json.length) / 4) * 4;
  const file = Buffer.alloc(dataStart + offset * 4);
  file.write(MAGIC, 0, 'latin1');
  file.writeUInt32LE(json.length, 4);
  json.copy(file, 8);
  model.variables.forEach((v, i) => {
    const bytes = Buffer.from(v.value.data.buffer, v.value.data.byteOffset, v.value.size * 4);
    bytes.copy(file, dataStart + weights[i].offset * 4);
  });
  return file;
}

export function decodeWeightsInto(
  model: Sequential,
  file: Buffer,
  source = 'weights',
  args: LoadWeightsArgs = {},
): void {
  source = clip(source);
  if (file.length < 8 || file.toString('latin1', 0, 4) !== MAGIC) {
    throw new ValueError(`${source}: not a gradscope weights file (expected magic "${MAGIC}")`);
  }
  const headerLength = file.readUInt32LE(4);
  if (8 + headerLength > file.length) {
    throw new ValueError(
      `${source}: truncated header (${headerLength} bytes declared, file has ${file.length})`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(file.toString('utf8', 8, 8 + headerLength));
  } catch (cause) {
    throw new ValueError(`${source}: the header is not valid JSON (${clip(String(cause))})`);
  }
  if (
    !isObject(header) ||
    header.format !== 'gradscope-weights' ||
    !Array.isArray(header.weights)
  ) {
    const received = isObject(header)
      ? `format=${shown(header.format)}, weights=${Array.isArray(header.weights) ? 'a list' : shown(header.weights)}`
      : `a header of ${shown(header)}`;
    throw new ValueError(
      `${source}: expected a header object with format "gradscope-weights" and a weights list. ` +
        `Received: ${received}`,
    );
  }
  const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
  const entries = new Map<string, WeightEntry>();
  header.weights.forEach((raw: unknown, at: number) => {
    const entry = checkEntry(source, raw, at);
    if (entries.has(entry.name)) {
      throw new ValueError(
        `${source}: weights[${at}]: the name ${quote(entry.name)} appears twice`,
      );
    }
    entries.set(entry.name, entry);
  });
  model.build();
  const plan = model.variables.map((v) => {
    const entry = entries.get(v.name);
    if (!entry) throw new ValueError(`${source}: has no weight '${v.name}'`);
    if (shapeToString(entry.shape) !== shapeToString(v.shape)) {
      throw new ShapeError(
        `${source}: ${v.name} must have shape ${shapeToString(v.shape)}. Received: ${clip(shapeToString(entry.shape))}`,
      );
    }
    const start = dataStart + entry.offset * 4,
      end = start + shapeSize(entry.shape) * 4;
    if (end > file.length) throw new ValueError(`${source}: truncated data for ${v.name}`);
    const values = new Float32Array(
      file.buffer.slice(file.byteOffset + start, file.byteOffset + end),
    );
    const bad = args.allowNonFinite ? -1 : values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      throw new ValueError(
        `${source}: ${v.name} holds ${values[bad]} at flat index ${bad}; expected finite ` +
          'values (pass { allowNonFinite: true } to load them anyway)',
      );
    }
    return { variable: v, values };
  });
  for (const { variable, values } of plan) variable.value.data.set(values);
}

export function saveWeights(model: Sequential, path: string): void {
  writeFileSync(path, encodeWeights(model));
}

export function loadWeights(model: Sequential, path: string, args: LoadWeightsArgs = {}): void {
  decodeWeightsInto(model, readFileSync(path), path, args);
}
