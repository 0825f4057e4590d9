import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { encodeEvent } from '../../src/log/proto.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { readTextValue, textSummaryValue } from '../../src/log/text.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-text-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("our text event is TensorBoard's text_pb, field by field", () => {
  const ours = encodeEvent({
    wallTime: 3.5,
    step: 9,
    summary: { value: [textSummaryValue('verdicts/nonfinite', 'NaN in **loss**')] },
  });
  // Built from TensorBoard's .proto files, independently of src/log/proto.ts: Value.tag 1,
  // tensor 8 {dtype 1 = 7 (DT_STRING), tensor_shape 2 = {} (rank 0), string_val 8}, metadata 9
  // {plugin_data 1 {plugin_name 1 = "text", content 2 = ""}, data_class 4 = 2 (TENSOR)}.
  const w = protobuf.Writer.create();
  w.uint32(0x09).double(3.5).uint32(0x10).int64(9);
  w.uint32(0x2a).fork().uint32(0x0a).fork();
  w.uint32(0x0a).string('verdicts/nonfinite');
  w.uint32(0x42).fork().uint32(0x08).int32(7).uint32(0x12).fork().ldelim();
  w.uint32(0x42).string('NaN in **loss**').ldelim();
  w.uint32(0x4a).fork().uint32(0x0a).fork().uint32(0x0a).string('text');
  w.uint32(0x12).bytes(new Uint8Array(0)).ldelim().uint32(0x20).int32(2).ldelim();
  w.ldelim().ldelim();
  assert.deepEqual([...ours], [...w.finish()]);
});

test('texts round-trip through RunWriter and the provider, unicode and empty included', async () => {
  const root = path.join(tmp, 'texts');
  const writer = new RunWriter(path.join(root, 'run'));
  const texts = ['exploding ‖g‖ = 1e9 at dense_1/kernel', '', 'two\nlines'];
  texts.forEach((text, step) => writer.text('verdicts', text, step, 100 + step));
  writer.scalar('loss', 1, 0, 100);
  writer.close();
  const provider = new DirectoryProvider(root);
  assert.deepEqual(await provider.listTags('run'), {
    scalars: ['loss'],
    histograms: [],
    texts: ['verdicts'],
    order: ['verdicts', 'loss'],
  });
  assert.deepEqual(
    await provider.readTexts('run', 'verdicts'),
    texts.map((text, step) => ({ step, wallTime: 100 + step, text })),
  );
  assert.deepEqual(provider.warnings(), []);
});

test('a rank-1 string tensor reads as its elements joined by newlines', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const value = textSummaryValue('t', '');
  value.tensor = {
    dtype: 7,
    tensorShape: { dim: [{ size: 2 }] },
    stringVal: [bytes('a'), bytes('b')],
  };
  assert.equal(readTextValue(value), 'a\nb');
  assert.equal(readTextValue({ ...value, tensor: { dtype: 1 } }), undefined);
});
