/**
 * The subset of TensorBoard's protocol buffers that gradscope reads and writes, parsed on first
 * use with protobufjs's reflection API. protobufjs is loaded then too, not with this module:
 * loading and parsing take ~0.1 s, which `diagnose` of a scalar run (event-wire.ts reads
 * those fields itself) never needs.
 *
 * Field numbers are copied from tensorflow/tensorboard tensorboard/compat/proto/event.proto,
 * summary.proto, histogram.proto, tensor.proto, plugins/text/plugin_data.proto and tensor_shape.proto. Messages and fields we do
 * not use (graph defs, images, audio, session logs, other tensor dtypes) are left out: protobuf
 * decoders skip unknown fields, so events that carry them still decode.
 */
import { createRequire } from 'node:module';
import type protobufModule from 'protobufjs';

const TENSORBOARD_PROTO = `
syntax = "proto3";
package tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
  SourceMetadata source_metadata = 10;
}

// Written only in the first event, beside file_version: who wrote the file.
message SourceMetadata {
  string writer = 1;
}

message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      HistogramProto histo = 5;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  DataClass data_class = 4;
}

enum DataClass {
  DATA_CLASS_UNKNOWN = 0;
  DATA_CLASS_SCALAR = 1;
  DATA_CLASS_TENSOR = 2;
  DATA_CLASS_BLOB_SEQUENCE = 3;
}

message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

// dtype is the DataType enum in tensor.proto; int32 has the same wire encoding and spares
// copying the enum's thirty-odd values.
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated bytes string_val = 8;
}
`;

/** TensorFlow `DataType` values (types.proto) that gradscope reads or writes. */
export const DataType = { DT_FLOAT: 1, DT_DOUBLE: 2, DT_STRING: 7 } as const;

/** TensorBoard `DataClass` values (summary.proto). */
export const DataClass = { UNKNOWN: 0, SCALAR: 1, TENSOR: 2, BLOB_SEQUENCE: 3 } as const;

/** The first record of every event file carries this `file_version`. */
export const FILE_VERSION = 'brain.Event:2';

/**
 * The `source_metadata.writer` of gradscope's event files: how a reader tells gradscope's runs
 * from others' (TensorBoard's Python writer names itself
 * "tensorboard.summary.writer.event_file_writer"; older writers leave the field out).
 */
export const GRADSCOPE_WRITER = 'gradscope';

/**
 * The writer name of a file written by gradscope's command `command` ("gradscope depth"): what
 * lets diagnose name only flags that command takes in its remedies.
 */
export function gradscopeWriter(command?: string): string {
  return command === undefined ? GRADSCOPE_WRITER : `${GRADSCOPE_WRITER} ${command}`;
}

/** The command of a gradscope writer name: 'depth' for "gradscope depth", null for "gradscope", undefined for another writer's name. */
export function commandOfWriter(writer: string): string | null | undefined {
  if (writer === GRADSCOPE_WRITER) return null;
  return writer.startsWith(`${GRADSCOPE_WRITER} `)
    ? writer.slice(GRADSCOPE_WRITER.length + 1)
    : undefined;
}

// Decoded messages in protobufjs's camelCase form. Fields absent on the wire are undefined
// (proto3 writers omit default values, so a step of 0 is usually absent).

export interface TensorShapeMessage {
  dim?: { size?: number; name?: string }[];
  unknownRank?: boolean;
}

export interface TensorMessage {
  /** A TensorFlow `DataType` number, e.g. `DataType.DT_FLOAT`. */
  dtype?: number;
  tensorShape?: TensorShapeMessage;
  versionNumber?: number;
  /** Raw little-endian element bytes; used instead of the typed `*Val` fields. */
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  /** DT_STRING elements, each as its UTF-8 bytes. */
  stringVal?: Uint8Array[];
}

export interface HistogramMessage {
  min?: number;
  max?: number;
  num?: number;
  sum?: number;
  sumSquares?: number;
  /** Right edge of each bucket; the first bucket starts at -DBL_MAX. */
  bucketLimit?: number[];
  /** Count of each bucket, parallel to `bucketLimit`. */
  bucket?: number[];
}

export interface SummaryMetadataMessage {
  pluginData?: { pluginName?: string; content?: Uint8Array };
  displayName?: string;
  summaryDescription?: string;
  /** A `DataClass` number. */
  dataClass?: number;
}

export interface SummaryValueMessage {
  nodeName?: string;
  tag?: string;
  metadata?: SummaryMetadataMessage;
  simpleValue?: number;
  histo?: HistogramMessage;
  tensor?: TensorMessage;
}

export interface EventMessage {
  /** Seconds since the Unix epoch. */
  wallTime?: number;
  step?: number;
  fileVersion?: string;
  summary?: { value?: SummaryValueMessage[] };
  sourceMetadata?: { writer?: string };
}

interface Codec {
  eventType: protobufModule.Type;
  summaryValueType: protobufModule.Type;
}
let codec: Codec | undefined;

/** The message types, parsed on first use. protobufjs is CommonJS, so `require` loads it at once. */
function types(): Codec {
  if (codec !== undefined) return codec;
  const protobuf = createRequire(import.meta.url)('protobufjs') as typeof protobufModule;
  const root = protobuf.parse(TENSORBOARD_PROTO).root;
  codec = {
    eventType: root.lookupType('tensorboard.Event'),
    summaryValueType: root.lookupType('tensorboard.Summary.Value'),
  };
  return codec;
}

/** Serializes an event to its protobuf wire bytes. */
export function encodeEvent(event: EventMessage): Uint8Array {
  return types().eventType.encode(event).finish();
}

/**
 * Parses protobuf wire bytes as an event. int64 fields come back as JS numbers (exact up to
 * 2^53, far beyond any training step). Throws if the bytes are not a valid Event.
 */
export function decodeEvent(bytes: Uint8Array): EventMessage {
  const { eventType } = types();
  const message = eventType.decode(bytes);
  return eventType.toObject(message, { longs: Number, enums: Number }) as EventMessage;
}

/** Parses protobuf wire bytes as one Summary.Value. Throws if they are not one. */
export function decodeSummaryValue(bytes: Uint8Array): SummaryValueMessage {
  const { summaryValueType } = types();
  const message = summaryValueType.decode(bytes);
  return summaryValueType.toObject(message, {
    longs: Number,
    enums: Number,
  }) as SummaryValueMessage;
}
