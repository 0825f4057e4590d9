/** `gradscope activations`: sigmoid, ReLU and friends with their derivatives. */
import { join } from 'node:path';
import { DirectoryProvider } from '../../log/provider.js';
import { RunWriter } from '../../log/run-writer.js';
import { activationCurves } from './curves.js';
import { readActivationCurves, writeActivationCurves } from './records.js';
import { activationsSection } from './section.js';
import type { Experiment } from '../experiment.js';

export const activationsExperiment: Experiment<undefined> = {
  name: 'activations',
  summary: "activation functions and their derivatives: why sigmoid's ≤ 0.25 vanishes",
  defaultSeed: 0,
  flags: [],
  async prepare() {
    return undefined;
  },
  async run({ outDir, progress }) {
    const dir = join(outDir, 'activations');
    const writer = new RunWriter(dir, { command: 'activations' });
    try {
      writeActivationCurves(writer, activationCurves());
    } finally {
      writer.close();
    }
    // The section and --json come from the records, read back as the report reads any run.
    const result = await readActivationCurves(new DirectoryProvider(dir), '.');
    const section = activationsSection(result);
    section.findings.forEach((line) => progress.note(`activations: ${line}`));
    return {
      json: {
        derivativePeaks: result.derivativePeaks,
        sigmoidLayersToThousandth: result.sigmoidLayersToThousandth,
      },
      sections: [section],
    };
  },
};
