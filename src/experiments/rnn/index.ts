/** `gradscope rnn`: the article's numpy demo of exploding gradients through time, on the engine. */
import { join } from 'node:path';
import { checkPositiveInteger, ValueError } from '../../engine/errors.js';
import { RandomState } from '../../engine/random.js';
import { MemoryProvider } from '../../log/memory-provider.js';
import { DirectoryProvider } from '../../log/provider.js';
import type { RunProvider } from '../../log/provider.js';
import type { Experiment } from '../experiment.js';
import { numberFlag } from '../flags.js';
import { readRnnRun, rnnResult } from './findings.js';
import { singularValues2x2 } from './linalg.js';
import type { RnnResult, RnnSettings } from './findings.js';
import { rnnSection } from './section.js';
import { trainRnn, trainRnnToDisk } from './train.js';
import type { LiveDiagnosisArgs } from '../live-diagnosis.js';

/** The demonstration's settings; each defaults to the article's. */
export type RnnArgs = Partial<RnnSettings>;

const DEFAULTS: RnnSettings = { seed: 3, N: 2, H: 2, T: 20, maxNorm: 100, vanishingScale: 0.5 };

/** The two runs: Wh as drawn, and Wh scaled to σmax = vanishingScale. */
const RUNS = ['exploding', 'vanishing'] as const;

function resolveArgs(args: RnnArgs): RnnSettings {
  const resolved = { ...DEFAULTS, ...args };
  checkPositiveInteger('runRnnExperiment', 'N', resolved.N);
  checkPositiveInteger('runRnnExperiment', 'T', resolved.T);
  if (resolved.T < 2) {
    throw new ValueError(`runRnnExperiment: T must be at least 2. Received: T=${resolved.T}`);
  }
  if (resolved.H !== 2) {
    throw new ValueError(`runRnnExperiment: H must be 2. Received: H=${resolved.H}`);
  }
  for (const field of ['maxNorm', 'vanishingScale'] as const) {
    if (!(resolved[field] > 0)) {
      throw new ValueError(
        `runRnnExperiment: ${field} must be positive. Received: ${field}=${resolved[field]}`,
      );
    }
  }
  return resolved;
}

/**
 * Runs both cases on the engine, their records into event files under `logDir` (or, without
 * one, into memory), and returns what the runs hold, read back through the run provider.
 */
export async function runRnnExperiment(
  args: RnnArgs = {},
  logDir?: string,
  live: Omit<LiveDiagnosisArgs, 'runName'> = {},
): Promise<RnnResult> {
  const settings = resolveArgs(args);
  const { seed, N, H, T, maxNorm, vanishingScale } = settings;
  // numpy draws Wh after dh = ones(...), which consumes no random numbers.
  const flat = new RandomState(seed).randn(H, H);
  const wh = Array.from({ length: H }, (_, i) => Array.from(flat.subarray(i * H, (i + 1) * H)));
  const shrink = vanishingScale / singularValues2x2(wh)[0];
  const vanishingWh = wh.map((row) => row.map((w) => w * shrink));
  const matrices = { exploding: wh, vanishing: vanishingWh };
  let provider: RunProvider;
  if (logDir === undefined) {
    const memory = new MemoryProvider();
    for (const run of RUNS)
      trainRnn({ wh: matrices[run], N, T, maxNorm, sink: memory.run(run), runName: run, ...live });
    provider = memory;
  } else {
    for (const run of RUNS)
      trainRnnToDisk(
        { wh: matrices[run], N, T, maxNorm, runName: `rnn/${run}`, ...live },
        join(logDir, run),
      );
    provider = new DirectoryProvider(logDir);
  }
  const exploding = await readRnnRun(provider, 'exploding', T);
  const vanishing = await readRnnRun(provider, 'vanishing', T);
  return rnnResult(settings, wh, vanishingWh, exploding, vanishing);
}

export const rnnExperiment: Experiment<undefined> = {
  name: 'rnn',
  summary: 'exploding gradients through time (numpy demo, seed 3, on the engine) and clipping',
  defaultSeed: 3,
  flags: [
    {
      name: 'steps',
      kind: 'integer',
      positive: true,
      max: 1000,
      default: 20,
      description: 'time steps T to backpropagate through',
      min: 2,
    },
    {
      name: 'batch',
      kind: 'integer',
      positive: true,
      max: 10_000,
      default: 2,
      description: 'rows N of dh (the mini-batch)',
    },
    {
      name: 'max-norm',
      kind: 'number',
      positive: true,
      default: 100,
      description: "clip_grads' max_norm (the engine's globalClipnorm)",
    },
    {
      name: 'vanishing-scale',
      kind: 'number',
      positive: true,
      default: 0.5,
      description: 'largest singular value of the vanishing case',
    },
  ],
  async prepare() {
    return undefined;
  },
  async run({ outDir, flags, progress, command }) {
    const result = await runRnnExperiment(
      {
        seed: numberFlag(flags, 'seed'),
        T: numberFlag(flags, 'steps'),
        N: numberFlag(flags, 'batch'),
        maxNorm: numberFlag(flags, 'max-norm'),
        vanishingScale: numberFlag(flags, 'vanishing-scale'),
      },
      join(outDir, 'rnn'),
      { command, onVerdict: (line) => progress.note(line) },
    );
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
