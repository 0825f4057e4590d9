/**
 * The adding-problem runs read back through a RunProvider (event files or memory, the same
 * way): test and baseline MSE, the loss curve, and the through-time profiles at the first and
 * last training step as ratios ‖∂L/∂h_t‖/‖∂L/∂h_T‖.
 */
import type { RunProvider } from '../../log/provider.js';
import { LOSS_TAG } from '../../probe/tags.js';
import type { SequenceModel } from './model.js';
import { throughTimeTag } from '../../probe/tags.js';
import { TEST_TAGS } from './train.js';
import type { SequenceRun } from './train.js';

/** ‖∂L/∂h_t‖ for t = 1 … T, and the same over ‖∂L/∂h_T‖. */
export interface Profile {
  norms: number[];
  ratios: number[];
}

export interface SequenceResult {
  model: SequenceModel;
  timesteps: number;
  testMse: number;
  baselineMse: number;
  /** Batch loss per training step. */
  loss: number[];
  /** At the first training step, before any update. */
  before: Profile;
  /** At the last training step. */
  after: Profile;
  /** ∂L/∂c_t profiles (LSTM only), same steps. */
  cellBefore: Profile | null;
  cellAfter: Profile | null;
}

/** The run's name under the experiment's log root. */
export function sequenceRunName(model: SequenceModel, timesteps: number): string {
  return `${model}_T${timesteps}`;
}

function profile(norms: number[]): Profile {
  const last = norms[norms.length - 1];
  return { norms, ratios: norms.map((norm) => norm / last) };
}

async function values(provider: RunProvider, run: string, tag: string): Promise<number[]> {
  return (await provider.readScalars(run, tag)).map((point) => point.value);
}

async function optionalProfile(
  provider: RunProvider,
  run: string,
  tag: string,
): Promise<Profile | null> {
  const norms = await values(provider, run, tag);
  return norms.length > 0 ? profile(norms) : null;
}

export async function readSequenceResult(
  provider: RunProvider,
  run: SequenceRun,
): Promise<SequenceResult> {
  const name = sequenceRunName(run.model, run.timesteps);
  const [first, last] = run.profileSteps;
  const single = async (tag: string) => {
    const found = await values(provider, name, tag);
    if (found.length !== 1) {
      throw new Error(`${name}: expected one '${tag}' record. Received: ${found.length}`);
    }
    return found[0];
  };
  return {
    model: run.model,
    timesteps: run.timesteps,
    testMse: await single(TEST_TAGS.mse),
    baselineMse: await single(TEST_TAGS.baselineMse),
    loss: await values(provider, name, LOSS_TAG),
    before: profile(await values(provider, name, throughTimeTag(run.layer, first))),
    after: profile(await values(provider, name, throughTimeTag(run.layer, last))),
    cellBefore: await optionalProfile(provider, name, throughTimeTag(run.layer, first, 'cell')),
    cellAfter: await optionalProfile(provider, name, throughTimeTag(run.layer, last, 'cell')),
  };
}
