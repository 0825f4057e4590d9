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
 * Loading matches weights by name and checks shapes; it never loads a partial set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ShapeError, ValueError } from './errors.js';
import type { Model as Sequential } from './model.js';
import { shapeSize, shapeToString } from './tensor.js';

const MAGIC = 'GSW1';

interface WeightsHeader {
  format: 'gradscope-weights';
  version: 1;
  model: string;
  layers: { name: string; className: string; config: Record<string, unknown> }[];
  weights: { name: string; shape: number[]; offset: number }[];
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

export function decodeWeightsInto(model: Sequential, file: Buffer, source = 'weights'): void {
  if (file.length < 8 || file.toString('latin1', 0, 4) !== MAGIC) {
    throw new ValueError(`${source}: not a gradscope weights file (expected magic "${MAGIC}")`);
  }
  const headerLength = file.readUInt32LE(4);
  if (8 + headerLength > file.length) {
    throw new ValueError(
      `${source}: truncated header (${headerLength} bytes declared, file has ${file.length})`,
    );
  }
  let header: WeightsHeader;
  try {
    header = JSON.parse(file.toString('utf8', 8, 8 + headerLength)) as WeightsHeader;
  } catch (cause) {
    throw new ValueError(`${source}: the header is not valid JSON (${String(cause)})`);
  }
  if (header.format !== 'gradscope-weights' || !Array.isArray(header.weights)) {
    throw new ValueError(
      `${source}: expected a header with format "gradscope-weights" and a weights list. ` +
        `Received: format=${JSON.stringify(header.format)}`,
    );
  }
  const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
  const entries = new Map(header.weights.map((w) => [w.name, w]));
  model.build();
  const plan = model.variables.map((v) => {
    const entry = entries.get(v.name);
    if (!entry) throw new ValueError(`${source}: has no weight '${v.name}'`);
    if (shapeToString(entry.shape) !== shapeToString(v.shape)) {
      throw new ShapeError(
        `${source}: ${v.name} must have shape ${shapeToString(v.shape)}. Received: ${shapeToString(entry.shape)}`,
      );
    }
    const start = dataStart + entry.offset * 4,
      end = start + shapeSize(entry.shape) * 4;
    if (end > file.length) throw new ValueError(`${source}: truncated data for ${v.name}`);
    return { variable: v, start, end };
  });
  for (const { variable, start, end } of plan) {
    const values = new Float32Array(
      file.buffer.slice(file.byteOffset + start, file.byteOffset + end),
    );
    variable.value.data.set(values);
  }
}

export function saveWeights(model: Sequential, path: string): void {
  writeFileSync(path, encodeWeights(model));
}

export function loadWeights(model: Sequential, path: string): void {
  decodeWeightsInto(model, readFileSync(path), path);
}
