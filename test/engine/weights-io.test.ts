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
