/**
 * What Σw² of the new weights costs when the optimizer's update takes it as it writes them
 * (StepMeasures.weights), against a pass of its own over the weights after the update (what the
 * probes and TerminateOnNonFinite each ran before): Adam's update of the grid model's
 * variables (grid-model.ts) on one batch's gradients, CPU time of this thread, the best of
 * repeated rounds of each, for each width.
 *
 * Run alone: node dist/bench/update-squares.js [units ...]
 */
import { fileURLToPath } from 'node:url';
import { GradientNorms, sumsOfSquares } from '../src/engine/norms.js';
import { NO_MEASURES } from '../src/engine/measures.js';
import { Tensor } from '../src/engine/tensor.js';
import { buildGridModel } from './grid-model.js';
import { threadSeconds } from './timing.js';

export interface UpdateSquaresCost {
  units: number;
  weights: number;
  /** µs of one update measuring Σ Δw² only. */
  update: number;
  /** µs of that update followed by a pass over the weights for their Σw². */
  updateThenPass: number;
  /** µs of one update measuring Σ Δw² and Σw² as it writes the weights. */
  updateTakingSquares: number;
}

const ROUNDS = 15;
const CALLS = 100;

export function measureUpdateSquares(units: number): UpdateSquaresCost {
  const model = buildGridModel(units);
  const x = Tensor.zeros([32, 28, 28]);
  x.data.fill(0.1);
  model.computeGradients(x, new Float32Array(32).fill(1), NO_MEASURES);
  const variables = model.trainableVariables;
  const weights = variables.map((v) => v.value);
  const squares = new Float64Array(variables.length);
  const optimizer = model.optimizer!;
  const gradients = new GradientNorms(variables);
  const runs = {
    update: () => void optimizer.apply(variables, gradients, true, false),
    updateThenPass: () => {
      optimizer.apply(variables, gradients, true, false);
      sumsOfSquares(weights, squares);
    },
    updateTakingSquares: () => void optimizer.apply(variables, gradients, true, true),
  };
  const best = { update: Infinity, updateThenPass: Infinity, updateTakingSquares: Infinity };
  // Rounds alternate between the three, so that each sees the same machine.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs) as [keyof typeof runs, () => void][]) {
      const started = threadSeconds();
      for (let call = 0; call < CALLS; call++) run();
      best[name] = Math.min(best[name], ((threadSeconds() - started) / CALLS) * 1e6);
    }
  }
  x.dispose();
  return { units, weights: weights.reduce((sum, w) => sum + w.size, 0), ...best };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const widths = process.argv.slice(2).map(Number);
  for (const units of widths.length > 0 ? widths : [32, 256, 1024]) {
    console.log(JSON.stringify(measureUpdateSquares(units)));
  }
}
