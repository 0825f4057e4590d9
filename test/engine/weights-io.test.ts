import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchNormalization, Dense } from '../../src/engine/layers/index.js';
import { Sequential } from '../../src/engine/sequential.js';
import { decodeWeightsInto, encodeWeights } from '../../src/engine/weights-io.js';

function model(seed: number, units = 4): Sequential {
  return new Sequential({
    seed,
    layers: [
      new Dense({ units, activation: 'relu', inputShape: [3] }),
      new BatchNormalization(),
      new Dense({ units: 2, activation: 'softmax' }),
    ],
  }).build();
}

test('saved weights load back exactly, moving statistics included', () => {
  const source = model(1);
  source.layers[1].variable('moving_mean').value.data.set([0.5, -1, 2, 3]);
  const path = join(mkdtempSync(join(tmpdir(), 'weights-')), 'model.gsw');
  source.saveWeights(path);
  const target = model(2);
  assert.notDeepEqual(target.variables[0].value.toArray(), source.variables[0].value.toArray());
  target.loadWeights(path);
  source.variables.forEach((v, i) => {
    assert.equal(target.variables[i].name, v.name);
    assert.deepEqual(target.variables[i].value.toArray(), v.value.toArray());
  });
  const header = JSON.parse(
    readFileSync(path).toString('utf8', 8, 8 + readFileSync(path).readUInt32LE(4)),
  );
  assert.equal(header.format, 'gradscope-weights');
  assert.deepEqual(
    header.weights.map((w: { name: string }) => w.name),
    source.variables.map((v) => v.name),
  );
});

test('bad weight files are rejected with the reason and nothing is loaded', () => {
  const target = model(2);
  const before = target.variables.map((v) => v.value.toArray());
  const file = encodeWeights(model(1));
  assert.throws(
    () => decodeWeightsInto(target, Buffer.from('nope'), 'x.gsw'),
    /x\.gsw: not a gradscope weights file/,
  );
  assert.throws(
    () => decodeWeightsInto(target, file.subarray(0, file.length - 4), 'x.gsw'),
    /x\.gsw: truncated data for dense_2\/bias/,
  );
  assert.throws(
    () => decodeWeightsInto(target, encodeWeights(model(1, 5)), 'x.gsw'),
    /x\.gsw: dense_1\/kernel must have shape \[3,4\]\. Received: \[3,5\]/,
  );
  target.variables.forEach((v, i) => assert.deepEqual(v.value.toArray(), before[i]));
  const path = join(mkdtempSync(join(tmpdir(), 'weights-')), 'empty.gsw');
  writeFileSync(path, '');
  assert.throws(() => target.loadWeights(path), /empty\.gsw: not a gradscope weights file/);
});

test('summary lists layers, output shapes and parameter counts like Keras', () => {
  const text = model(0).summary();
  assert.match(text, /dense_1 \(Dense\)\s+\(None, 4\)\s+16/);
  assert.match(text, /batch_normalization_1 \(BatchNormalization\)\s+\(None, 4\)\s+16/);
  assert.match(text, /dense_2 \(Dense\)\s+\(None, 2\)\s+10/);
  assert.match(text, /Total params: 42/);
  assert.match(text, /Trainable params: 34/);
  assert.match(text, /Non-trainable params: 8/);
});

/** `file` with its header replaced by `mutate(header)`, the data kept as it was. */
function withHeader(file: Buffer, mutate: (header: Record<string, unknown>) => unknown): Buffer {
  const length = file.readUInt32LE(4);
  const data = file.subarray(Math.ceil((8 + length) / 4) * 4);
  const json = Buffer.from(
    JSON.stringify(mutate(JSON.parse(file.toString('utf8', 8, 8 + length)))),
  );
  const start = Math.ceil((8 + json.length) / 4) * 4;
  const out = Buffer.alloc(start + data.length);
  out.write('GSW1', 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  data.copy(out, start);
  return out;
}

type Entry = { name: string; shape?: number[]; offset?: number } | null;

function withEntry(file: Buffer, index: number, change: (entry: Entry) => Entry): Buffer {
  return withHeader(file, (header) => {
    const weights = header.weights as Entry[];
    weights[index] = change(weights[index]);
    return header;
  });
}

test('malformed headers and entries are rejected naming the file and the entry', () => {
  const target = model(2);
  const before = target.variables.map((v) => v.value.toArray());
  const file = encodeWeights(model(1));
  const cases: [Buffer, string][] = [
    [
      withEntry(file, 0, (e) => ({ ...e!, offset: -1 })),
      "x.gsw: weights[0] ('dense_1/kernel'): expected an offset that is a non-negative integer " +
        '(float32 values from the start of the data). Received: offset=-1',
    ],
    [
      withEntry(file, 1, (e) => ({ ...e!, offset: 12.5 })),
      "x.gsw: weights[1] ('dense_1/bias'): expected an offset that is a non-negative integer " +
        '(float32 values from the start of the data). Received: offset=12.5',
    ],
    [
      withEntry(file, 0, (e) => ({ name: e!.name, offset: 0 })),
      "x.gsw: weights[0] ('dense_1/kernel'): expected a shape of non-negative integers, " +
        'e.g. [784,32]. Received: shape=undefined',
    ],
    [
      withEntry(file, 0, (e) => ({ ...e!, shape: [3, null as unknown as number] })),
      "x.gsw: weights[0] ('dense_1/kernel'): expected a shape of non-negative integers, " +
        'e.g. [784,32]. Received: shape=[3,null]',
    ],
    [
      withEntry(file, 2, () => null),
      'x.gsw: weights[2]: expected an object { name, shape, offset }. Received: null',
    ],
    [
      withHeader(file, () => null),
      'x.gsw: expected a header object with format "gradscope-weights" and a weights list. ' +
        'Received: a header of null',
    ],
    [
      withHeader(file, (header) => ({ ...header, weights: null })),
      'x.gsw: expected a header object with format "gradscope-weights" and a weights list. ' +
        'Received: format="gradscope-weights", weights=null',
    ],
    [
      withEntry(file, 1, (e) => ({ ...e!, name: 'dense_1/kernel' })),
      "x.gsw: weights[1]: the name 'dense_1/kernel' appears twice",
    ],
  ];
  for (const [bad, message] of cases) {
    assert.throws(
      () => decodeWeightsInto(target, bad, 'x.gsw'),
      (error: unknown) => error instanceof Error && error.message === message,
      message,
    );
  }
  target.variables.forEach((v, i) => assert.deepEqual(v.value.toArray(), before[i]));
});

test('NaN or Infinity in the data is rejected unless allowNonFinite', () => {
  const source = model(1);
  for (const bad of [Number.NaN, Infinity, -Infinity]) {
    source.variables[2].value.data[1] = bad; // dense_1 is kernel, bias; then batch_normalization_1/gamma
    const file = encodeWeights(source);
    const target = model(2);
    const before = target.variables.map((v) => v.value.toArray());
    assert.throws(
      () => decodeWeightsInto(target, file, 'x.gsw'),
      (error: unknown) =>
        error instanceof Error &&
        error.message ===
          `x.gsw: ${source.variables[2].name} holds ${bad} at flat index 1; expected finite ` +
            'values (pass { allowNonFinite: true } to load them anyway)',
    );
    target.variables.forEach((v, i) => assert.deepEqual(v.value.toArray(), before[i]));
    decodeWeightsInto(target, file, 'x.gsw', { allowNonFinite: true });
    assert.equal(target.variables[2].value.data[1], bad);
  }
});
