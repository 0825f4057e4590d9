/**
 * Scalars: one number per tag and step, TensorBoard's "scalars" plugin.
 *
 * Written in TensorBoard 2.x form: a Summary.Value whose tensor is a rank-0 DT_FLOAT tensor
 * (value in `tensor_content`, as TensorFlow writes it) with metadata plugin_name "scalars" and
 * data_class DATA_CLASS_SCALAR. The value is therefore stored as float32: 0.1 reads back as
 * Math.fround(0.1). NaN and ±Infinity are stored as such. Read also in the legacy form of
 * TensorFlow 1.x, PyTorch and tensorboardX: `simple_value` (also float32).
 */
import {
  DataClass,
  DataType,
  type SummaryMetadataMessage,
  type SummaryValueMessage,
} from './proto.js';
import { realTensor, realTensorValues, tensorShape } from './tensor-proto.js';

export const SCALARS_PLUGIN_NAME = 'scalars';

/** Metadata marking a summary value as a scalar. */
export function scalarMetadata(): SummaryMetadataMessage {
  return { pluginData: { pluginName: SCALARS_PLUGIN_NAME }, dataClass: DataClass.SCALAR };
}

/** The Summary.Value that records `value` under `tag`. */
export function scalarSummaryValue(tag: string, value: number): SummaryValueMessage {
  return { tag, metadata: scalarMetadata(), tensor: realTensor(DataType.DT_FLOAT, [], [value]) };
}

/** Whether a value belongs to the scalars plugin, by its metadata or its legacy form. */
export function isScalarSummary(value: SummaryValueMessage): boolean {
  return (
    value.simpleValue !== undefined ||
    value.metadata?.pluginData?.pluginName === SCALARS_PLUGIN_NAME
  );
}

/**
 * The number a scalar summary value holds: its `simple_value`, or its rank-0 float tensor
 * (float64 accepted too). Returns undefined when the value has neither form.
 */
export function readScalarValue(value: SummaryValueMessage): number | undefined {
  if (value.simpleValue !== undefined) return value.simpleValue;
  if (value.tensor === undefined || tensorShape(value.tensor).length !== 0) return undefined;
  return realTensorValues(value.tensor)?.[0];
}
