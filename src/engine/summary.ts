/** Sequential.summary(): Keras' table of layers, output shapes and parameter counts. */
import type { Model as Sequential } from './model.js';

const COLUMNS = ['Layer (type)', 'Output Shape', 'Param #'] as const;

export function summary(model: Sequential): string {
  model.build();
  const rows = model.layers.map((layer) => [
    `${layer.name} (${layer.className})`,
    `(None, ${layer.outputShape!.join(', ')})`,
    layer.countParams().toLocaleString('en-US'),
  ]);
  const widths = COLUMNS.map((title, c) =>
    Math.max(title.length, ...rows.map((row) => row[c].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('   ');
  const rule = (char: string) => char.repeat(widths.reduce((sum, w) => sum + w, 0) + 6);
  const total = model.variables.reduce((sum, v) => sum + v.value.size, 0);
  const trainable = model.trainableVariables.reduce((sum, v) => sum + v.value.size, 0);
  return [
    `Model: "${model.name}"`,
    rule('━'),
    line(COLUMNS),
    rule('━'),
    ...rows.map(line),
    rule('━'),
    ` Total params: ${total.toLocaleString('en-US')}`,
    ` Trainable params: ${trainable.toLocaleString('en-US')}`,
    ` Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
  ].join('\n');
}
