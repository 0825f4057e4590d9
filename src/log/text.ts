/**
 * Text: one string per tag and step, TensorBoard's "text" plugin. gradscope writes its
 * verdicts this way, so TensorBoard's Text tab shows them beside the run's charts.
 *
 * Written as TensorBoard's `text_v2.text_pb` does: a Summary.Value whose tensor is a rank-0
 * DT_STRING tensor holding the UTF-8 bytes in `string_val`, with metadata plugin_name "text",
 * plugin content an empty TextPluginData (version 0) and data_class DATA_CLASS_TENSOR.
 * Edge cases: the empty string is stored as one empty element; TensorBoard renders markdown,
 * so the text is shown as markdown there. Tensors of rank ≥ 1 (tables, as TensorFlow 1.x
 * could write) read back with their elements joined by newlines, in row-major order.
 */
import { DataClass, DataType } from './proto.js';
import type { SummaryMetadataMessage, SummaryValueMessage } from './proto.js';

export const TEXT_PLUGIN_NAME = 'text';

/** Something that records text; RunWriter and the in-memory runs do. */
export interface TextSink {
  /** Records `text` under `tag` at `step`; `wallTime` is in seconds since the Unix epoch. */
  text(tag: string, text: string, step: number, wallTime?: number): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Metadata marking a summary value as text. */
export function textMetadata(): SummaryMetadataMessage {
  return {
    pluginData: { pluginName: TEXT_PLUGIN_NAME, content: new Uint8Array(0) },
    dataClass: DataClass.TENSOR,
  };
}

/** The Summary.Value that records `text` under `tag`. */
export function textSummaryValue(tag: string, text: string): SummaryValueMessage {
  const tensor = { dtype: DataType.DT_STRING, tensorShape: {}, stringVal: [encoder.encode(text)] };
  return { tag, metadata: textMetadata(), tensor };
}

/** Whether a value belongs to the text plugin (by its metadata; text has no legacy form). */
export function isTextSummary(value: SummaryValueMessage): boolean {
  return value.metadata?.pluginData?.pluginName === TEXT_PLUGIN_NAME;
}

/**
 * The string a text summary value holds. Returns undefined when its tensor is not DT_STRING or
 * holds no element.
 */
export function readTextValue(value: SummaryValueMessage): string | undefined {
  const tensor = value.tensor;
  if (tensor?.dtype !== DataType.DT_STRING) return undefined;
  const elements = tensor.stringVal ?? [];
  if (elements.length === 0) return undefined;
  return elements.map((bytes) => decoder.decode(bytes)).join('\n');
}
