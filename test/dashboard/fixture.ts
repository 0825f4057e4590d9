/** A small logdir for the dashboard tests, written the way gradscope's probes write runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunWriter } from '../../src/log/run-writer.js';

export const LAYERS = ['dense_1', 'dense_2', 'dense_10'];

/** Writes run `name` with `steps` steps of loss and per-layer gradient flow; returns its path. */
export function writeRun(root: string, name: string, steps: number, scale = 1): string {
  const dir = path.join(root, name);
  const writer = new RunWriter(dir);
  for (let step = 0; step < steps; step++) {
    writer.scalar('loss', scale * (2 / (step + 1) + 0.1), step);
    LAYERS.forEach((layer, i) => {
      // Vanishing toward the input side: each layer nearer the input gets a tenth.
      const norm = scale * 10 ** (i - LAYERS.length) * (1 + step / steps);
      writer.scalar(`grad_norm/${layer}/kernel`, norm, step);
      writer.scalar(`update_ratio/${layer}/kernel`, norm / 100, step + 1);
      writer.scalar(`signal_norm/${layer}`, norm * 2, step);
    });
    if (step % 5 === 0) {
      const values = Float32Array.from(
        { length: 200 },
        (_, k) => Math.sin(k * 7.1 + step) * (1 + step / 10),
      );
      writer.histogram('weights/dense_1/kernel', values, step);
    }
  }
  for (const s of [0, steps - 1]) {
    for (let t = 1; t <= 8; t++) writer.scalar(`through_time/simple_rnn_1/step_${s}`, 1.8 ** t, t);
  }
  writer.close();
  return dir;
}

export function makeLogdir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
