/** Bytes of a real TensorFlow event file, shared by the log tests. No tests here. */

export const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

// A real event file: `tf.summary.scalar("accuracy", 0.99, step=77)` dumped with xxd, as published
// in TensorBoard's data server tests (tensorflow/tensorboard, tensorboard/data/server/tf_record.rs,
// `test_success`). Record 1 is the file_version event, record 2 the scalar.
export const TF_RECORD_1_DATA = [
  ...[0x09, 0x00, 0x00, 0x80, 0x38, 0x99, 0xd6, 0xd7, 0x41, 0x1a, 0x0d],
  ...ascii('brain.Event:2'),
];
export const TF_RECORD_2_DATA = [
  ...[0x09, 0xc4, 0x05, 0xb7, 0x3d, 0x99, 0xd6, 0xd7, 0x41],
  ...[0x10, 0x4d, 0x2a, 0x25],
  ...[0x0a, 0x23, 0x0a, 0x08, ...ascii('accuracy')],
  ...[0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f, 0x4a],
  ...[0x0b, 0x0a, 0x09, 0x0a, 0x07, ...ascii('scalars')],
];
export const TF_RECORD_1 = [
  ...[0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22],
  ...TF_RECORD_1_DATA,
  ...[0x12, 0x4b, 0x36, 0xab],
];
export const TF_RECORD_2 = [
  ...[0x32, 0, 0, 0, 0, 0, 0, 0, 0x24, 0x19, 0x56, 0xec],
  ...TF_RECORD_2_DATA,
  ...[0xa5, 0x5b, 0x64, 0x33],
];
export const TF_EVENT_FILE = Uint8Array.from([...TF_RECORD_1, ...TF_RECORD_2]);
