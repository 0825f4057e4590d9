/** `gradscope rnn`: the article's numpy demo of exploding gradients through time, and clipping. */
import type { Experiment } from '../experiment.js';
import { numberFlag } from '../flags.js';
import { rnnSection } from './section.js';
import { runRnnExperiment } from './train.js';

export const rnnExperiment: Experiment = {
  name: 'rnn',
  summary: 'exploding gradients through time (numpy demo, seed 3) and global-norm clipping',
  defaultSeed: 3,
  flags: [
    {
      name: 'steps',
      kind: 'integer',
      positive: true,
      default: 20,
      description: 'time steps T to backpropagate through',
    },
    {
      name: 'batch',
      kind: 'integer',
      positive: true,
      default: 2,
      description: 'rows N of dh (the mini-batch)',
    },
    {
      name: 'max-norm',
      kind: 'number',
      positive: true,
      default: 100,
      description: "clip_grads' max_norm",
    },
    {
      name: 'vanishing-scale',
      kind: 'number',
      positive: true,
      default: 0.5,
      description: 'largest singular value of the vanishing case',
    },
  ],
  async run({ flags, progress }) {
    const result = runRnnExperiment({
      seed: numberFlag(flags, 'seed'),
      T: numberFlag(flags, 'steps'),
      N: numberFlag(flags, 'batch'),
      maxNorm: numberFlag(flags, 'max-norm'),
      vanishingScale: numberFlag(flags, 'vanishing-scale'),
    });
    const section = rnnSection(result);
    section.findings.forEach((line) => progress.note(`rnn: ${line}`));
    return {
      json: {
        wh: result.wh,
        norms: result.norms,
        clippedNorms: result.clippedNorms,
        singularValues: result.growth.singularValues,
      },
      sections: [section],
    };
  },
};
