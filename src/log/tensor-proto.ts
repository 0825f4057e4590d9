/**
 * Converts between TensorProto messages and flat JS number arrays, for the float32 and float64
 * dtypes that scalar and histogram summaries use.
 */
import { DataType, type TensorMessage } from './proto.js';

const ELEMENT_BYTES = { [DataType.DT_FLOAT]: 4, [DataType.DT_DOUBLE]: 8 } as const;
type RealDataType = keyof typeof ELEMENT_BYTES;

/** Builds a tensor whose elements are stored as little-endian bytes in `tensor_content`. */
export function realTensor(
  dtype: RealDataType,
  shape: readonly number[],
  values: ArrayLike<number>,
): TensorMessage {
  const size = ELEMENT_BYTES[dtype];
  const content = new Uint8Array(values.length * size);
  const view = new DataView(content.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === DataType.DT_FLOAT) view.setFloat32(i * size, values[i], true);
    else view.setFloat64(i * size, values[i], true);
  }
  return { dtype, tensorShape: { dim: shape.map((size) => ({ size })) }, tensorContent: content };
}

/** The tensor's shape; an absent shape means rank 0, as in TensorFlow. */
export function tensorShape(tensor: TensorMessage): number[] {
  return (tensor.tensorShape?.dim ?? []).map((dim) => dim.size ?? 0);
}

/**
 * The elements of a DT_FLOAT or DT_DOUBLE tensor in row-major order, read from the typed
 * `float_val`/`double_val` field or else from `tensor_content`. Returns undefined for other
 * dtypes or when the element count does not match the shape.
 */
export function realTensorValues(tensor: TensorMessage): number[] | undefined {
  const dtype = tensor.dtype ?? 0;
  if (dtype !== DataType.DT_FLOAT && dtype !== DataType.DT_DOUBLE) return undefined;
  const expected = tensorShape(tensor).reduce((product, size) => product * size, 1);
  const typed = dtype === DataType.DT_FLOAT ? tensor.floatVal : tensor.doubleVal;
  const values = typed !== undefined && typed.length > 0 ? typed : contentValues(dtype, tensor);
  return values !== undefined && values.length === expected ? values : undefined;
}

function contentValues(dtype: RealDataType, tensor: TensorMessage): number[] | undefined {
  const content = tensor.tensorContent ?? new Uint8Array(0);
  const size = ELEMENT_BYTES[dtype];
  if (content.length % size !== 0) return undefined;
  // DataView, not a typed-array view: the bytes may sit at any alignment inside a decoder buffer.
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const values = new Array<number>(content.length / size);
  for (let i = 0; i < values.length; i++) {
    values[i] = size === 4 ? view.getFloat32(i * size, true) : view.getFloat64(i * size, true);
  }
  return values;
}
