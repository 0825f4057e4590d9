/**
 * The files of the temporary project that uses the installed package: an ESM script that trains
 * two steps through the public entry points, and a TypeScript consumer type-checked against the
 * shipped declarations. `@ts-expect-error` lines fail the check if the declarations were lost
 * and everything resolved to `any`.
 */

/** Trains 8 samples in batches of 4 (two steps), logs through the probes, reads the log back. */
export const TRAIN_SCRIPT = `
import { arrayDataset, Dense, GradientProbes, Sequential, SGD } from 'gradscope';
import { DirectoryProvider, RunWriter } from 'gradscope/log';
import { join } from 'node:path';

const logdir = process.argv[2];
const x = Array.from({ length: 16 }, (_, i) => Math.sin(i * 12.9898) * 2);
const y = Array.from({ length: 8 }, (_, i) => (x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0));
const model = new Sequential({
  seed: 7,
  layers: [
    new Dense({ units: 4, activation: 'relu', inputShape: [2] }),
    new Dense({ units: 1, activation: 'sigmoid' }),
  ],
});
model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'binary_crossentropy' });
const kernel = model.layers[0].kernel.value;
const before = kernel.toArray();
const writer = new RunWriter(join(logdir, 'xor'));
let steps = 0;
const history = model.fit(arrayDataset(x, [2], y), {
  epochs: 1,
  batchSize: 4,
  callbacks: [new GradientProbes({ sink: writer }), { onBatchEnd: () => void steps++ }],
});
writer.close();
const after = kernel.toArray();
const provider = new DirectoryProvider(logdir);
const runs = await provider.listRuns();
const loss = await provider.readScalars('xor', 'loss');
console.log(JSON.stringify({
  steps,
  kernelChanged: after.filter((value, i) => value !== before[i]).length,
  epochLoss: history.history.loss,
  runs,
  loss,
}));
`;

export const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    noEmit: true,
    // As most projects (tsc --init's default); what a lib check would add, that every type
    // the declarations import comes from a runtime dependency, package.test.ts checks directly.
    skipLibCheck: true,
  },
  files: ['consumer.ts'],
});

export const TS_CONSUMER = `
import { arrayDataset, Dense, Sequential, SGD, writeReport } from 'gradscope';
import type { DenseArgs, History, Report } from 'gradscope';
import { DirectoryProvider, MemoryProvider, type RunProvider } from 'gradscope/log';
import { GradientProbes, type RecordSink } from 'gradscope/probe';

const args: DenseArgs = { units: 3, activation: 'relu', inputShape: [2] };
const model = new Sequential({ layers: [new Dense(args)] });
model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mean_squared_error' });
const sink: RecordSink = { scalar() {}, histogram() {} };
const history: History = model.fit(arrayDataset([1, 2], [2], [0, 1, 0]), {
  callbacks: [new GradientProbes({ sink })],
});
const provider: RunProvider = new DirectoryProvider('runs');
const runs: Promise<string[]> = provider.listRuns();
const memory: RunProvider = new MemoryProvider();
const title: Report['title'] = 'a report';

// @ts-expect-error units is a number
new Dense({ units: '3' });
// @ts-expect-error no such loss
model.compile({ optimizer: 'sgd', loss: 'hinge_of_doom' });
// @ts-expect-error listRuns returns a promise
const count: number = provider.listRuns();

export { count, history, memory, runs, title, writeReport };
`;
