/**
 * Scalar events encoded by hand: the bytes protobufjs writes for
 * `Event{wall_time, step, summary{value: [scalarSummaryValue(tag, v), …]}}` (proto.ts,
 * scalars.ts), without building a message per record. A scalar's Summary.Value differs from
 * the next one of its tag only in its four float bytes, so each tag's Value is encoded once
 * into a template and copied with the float patched in. test/log/scalar-encoder.test.ts checks
 * the bytes against protobufjs's.
 *
 *   Summary.Value  0a len | 0a len tag | 42 0a 08 01 12 00 22 04 <float32 LE> |
 *                  4a 0d 0a 09 0a 07 "scalars" 20 01
 *   Event          09 <float64 LE wall_time> | 10 <varint step> | 2a len <values>
 */
import { SCALARS_PLUGIN_NAME } from './scalars.js';

/** A Summary.Value of one tag, ready to copy, and where its float goes. */
export interface ScalarTemplate {
  readonly bytes: Uint8Array;
  readonly floatOffset: number;
}

const utf8 = new TextEncoder();

/** The rank-0 DT_FLOAT tensor's fields before its 4 content bytes: dtype 1, empty shape. */
const TENSOR_HEAD = [0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04];

/** SummaryMetadata{plugin_data{plugin_name: "scalars"}, data_class: DATA_CLASS_SCALAR}. */
const METADATA = (() => {
  const name = utf8.encode(SCALARS_PLUGIN_NAME);
  const pluginData = [0x0a, name.length, ...name];
  const metadata = [0x0a, pluginData.length, ...pluginData, 0x20, 0x01];
  return [0x4a, metadata.length, ...metadata];
})();

/** The template of `tag`'s scalar Summary.Value, with its field key and length. */
export function scalarTemplate(tag: string): ScalarTemplate {
  const name = utf8.encode(tag);
  const body = [0x0a, ...varint(name.length), ...name, ...TENSOR_HEAD, 0, 0, 0, 0, ...METADATA];
  const head = [0x0a, ...varint(body.length)];
  const floatOffset = head.length + 1 + varint(name.length).length + name.length + 8;
  return { bytes: Uint8Array.from([...head, ...body]), floatOffset };
}

/** Bytes of `value` as a protobuf varint; negative numbers as 64-bit two's complement. */
export function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >= 0 ? BigInt(value) : BigInt.asUintN(64, BigInt(value));
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

/** A byte buffer that grows, written from the front; `length` bytes are in use. */
export class ByteBuffer {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  length = 0;

  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, 2 * this.bytes.length));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Appends `template` with `value` (as float32) in its float. */
  scalar(template: ScalarTemplate, value: number): void {
    const { bytes, floatOffset } = template;
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.view.setFloat32(this.length + floatOffset, value, true);
    this.length += bytes.length;
  }

  /**
   * Appends `template` (Summary.Values one after another) with `values[k]` (as float32) at
   * `floatOffsets[k]`.
   */
  scalars(template: Uint8Array, floatOffsets: Int32Array, values: ArrayLike<number>): void {
    this.reserve(template.length);
    const start = this.length;
    this.bytes.set(template, start);
    for (let k = 0; k < floatOffsets.length; k++) {
      this.view.setFloat32(start + floatOffsets[k], values[k], true);
    }
    this.length += template.length;
  }

  /** Appends a varint (see `varint`); the fast path covers steps below 2^31. */
  varint(value: number): void {
    this.reserve(10);
    if (value >= 0 && value < 0x80000000) {
      let rest = value;
      while (rest >= 0x80) {
        this.bytes[this.length++] = (rest & 0x7f) | 0x80;
        rest >>>= 7;
      }
      this.bytes[this.length++] = rest;
      return;
    }
    for (const byte of varint(value)) this.bytes[this.length++] = byte;
  }

  /** Appends a float64, little-endian. */
  double(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Appends `bytes`. */
  append(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.reserve(end - start);
    this.bytes.set(bytes.subarray(start, end), this.length);
    this.length += end - start;
  }
}

/** Number of bytes of `value` as a varint. */
export function varintLength(value: number): number {
  if (value >= 0 && value < 0x80000000) {
    let length = 1;
    for (let rest = value; rest >= 0x80; rest >>>= 7) length++;
    return length;
  }
  return varint(value).length;
}

/**
 * Appends to `out` the Event holding the Summary.Values in `values[start, end)` at `step` and
 * `wallTime`, with fields in protobufjs's order.
 */
export function appendScalarEvent(
  out: ByteBuffer,
  wallTime: number,
  step: number,
  values: Uint8Array,
  start: number,
  end: number,
): void {
  out.reserve(1 + 8 + 1 + 10 + 1 + 5 + (end - start));
  out.bytes[out.length++] = 0x09;
  out.double(wallTime);
  out.bytes[out.length++] = 0x10;
  out.varint(step);
  out.bytes[out.length++] = 0x2a;
  out.varint(end - start);
  out.append(values, start, end);
}

/** Bytes `appendScalarEvent` will append. */
export function scalarEventLength(step: number, valuesLength: number): number {
  return 1 + 8 + 1 + varintLength(step) + 1 + varintLength(valuesLength) + valuesLength;
}
