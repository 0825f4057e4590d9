/** `gradscope activations`: sigmoid, ReLU and friends with their derivatives. */
import { activationCurves } from './curves.js';
import { activationsSection } from './section.js';
import type { Experiment } from '../experiment.js';

export const activationsExperiment: Experiment = {
  name: 'activations',
  summary: "activation functions and their derivatives: why sigmoid's ≤ 0.25 vanishes",
  defaultSeed: 0,
  flags: [],
  async run({ progress }) {
    const result = activationCurves();
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
