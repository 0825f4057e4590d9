/**
 * `npm run bench`: seconds per epoch of the reference model (Flatten → 3×Dense(32) →
 * BatchNormalization → 3×Dense(32) → Dropout(0.25) → Dense(10, softmax); Adam; batch 32; one
 * epoch over the 60,000 Fashion-MNIST training images) for gradscope (relu and sigmoid) and
 * for TensorFlow.js `model.fit` on its cpu and wasm backends, each in a fresh process so one
 * does not warm up or fill memory for another. TF.js trains on a subset and its time is
 * scaled to 60,000 images (said in the output). Also the probes' overhead, and the recurrent
 * models on the adding problem (bench/recurrent.ts), and the garbage a step leaves
 * (bench/step-garbage.ts).
 *
 * Flags: --json (one JSON object on stdout), --quick (smaller TF.js subsets), --recurrent (the
 * recurrent figures only), --grid (only the grid of widths × batch sizes beside PyTorch: grid.ts;
 * with --wasm, every product in WebAssembly (GRADSCOPE_NATIVE=0) instead of the native loops
 * from NATIVE_MIN_FLOPS; with --relaxed, the wasm products on the relaxed-SIMD build; with
 * --no-pytorch, gradscope alone; each cell runs on 1 thread and then with
 * GRADSCOPE_THREADS=auto, or 2 with --threads 2, or only on 1 with --threads 1; --cells
 * 256x128,1024x512 picks cells).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printGrid, runGrid } from './grid.js';
import { measureSeedMemory } from './memory.js';
import type { ProbeOverhead } from './probe-overhead.js';
import { formatRecurrentBench } from './recurrent.js';
import type { RecurrentBench } from './recurrent.js';
import { printDiagnoseBench, runDiagnoseBench } from './diagnose.js';
import { measureStepGarbage } from './step-garbage.js';

const EPOCH_SAMPLES = 60000;
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');

interface ChildResult {
  seconds: number;
  peakRssMB?: number;
  samples?: number;
}

function runChild(script: string, args: string[]): ChildResult {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const out = execFileSync(process.execPath, [path, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lastLine = out.trim().split('\n').pop()!;
  return JSON.parse(lastLine) as ChildResult;
}

function progress(line: string): void {
  if (!json) process.stderr.write(`${line}\n`);
}

function measureTfjs(backend: 'cpu' | 'wasm', samples: number): number {
  progress(`TF.js ${backend}: training on ${samples} images (scaled to ${EPOCH_SAMPLES})…`);
  const result = runChild('./tfjs-epoch.js', [backend, String(samples)]);
  return (result.seconds * EPOCH_SAMPLES) / samples;
}

function measureRecurrent(): RecurrentBench {
  progress('recurrent models on the adding problem, T=100 (bench/recurrent.ts)…');
  return runChild('./recurrent.js', [
    '--json',
    ...(quick ? ['--quick'] : []),
  ]) as unknown as RecurrentBench;
}

/** The value after `flag` on the command line, if any. */
function flagValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

function grid(): void {
  const threads = flagValue('--threads');
  if (threads !== undefined && threads !== '1' && threads !== '2' && threads !== 'auto') {
    throw new Error(`--threads must be 1, 2 or auto. Received: ${threads}`);
  }
  const args = {
    repeats: 3,
    relaxed: process.argv.includes('--relaxed'),
    wasm: process.argv.includes('--wasm'),
    pytorch: !process.argv.includes('--no-pytorch'),
    twoThreads: threads === '1' ? null : threads === '2' ? (2 as const) : ('auto' as const),
    cells: flagValue('--cells')?.split(','),
  };
  const { rows, pytorch } = runGrid(progress, args);
  if (json) process.stdout.write(`${JSON.stringify({ grid: rows, pytorch })}\n`);
  else printGrid(rows, pytorch, args);
}

async function main(): Promise<void> {
  if (process.argv.includes('--grid')) return grid();
  if (process.argv.includes('--recurrent')) {
    const recurrent = measureRecurrent();
    if (json) process.stdout.write(`${JSON.stringify({ recurrent })}\n`);
    else console.log(`\n${formatRecurrentBench(recurrent)}`);
    return;
  }
  progress('gradscope relu: 3 epochs of 60,000 images…');
  const relu = runChild('./gradscope-epoch.js', ['relu']);
  progress('gradscope sigmoid: 3 epochs of 60,000 images…');
  const sigmoid = runChild('./gradscope-epoch.js', ['sigmoid']);
  const wasmSamples = quick ? 6400 : 19200;
  const cpuSamples = quick ? 1600 : 4800;
  const tfjsWasm = measureTfjs('wasm', wasmSamples);
  const tfjsCpu = measureTfjs('cpu', cpuSamples);
  progress('probe overhead: bare vs instrumented epochs…');
  const overheadSamples = quick ? 16000 : EPOCH_SAMPLES;
  const overhead = runChild('./probe-overhead.js', [
    String(overheadSamples),
    quick ? '3' : '5',
  ]) as unknown as ProbeOverhead;
  // The in-callback ratios: see probe-overhead.ts for why they are the headline.
  const probeOverhead = {
    normsEveryStep: overhead.inCallbacks.normsEveryStep,
    histogramsEvery100: overhead.inCallbacks.histogramsEvery100,
  };
  const recurrent = measureRecurrent();
  progress('garbage a training step leaves (bench/step-garbage.ts)…');
  const stepGarbage = measureStepGarbage();
  const diagnose = runDiagnoseBench(progress);
  const peakRssMB = Math.max(relu.peakRssMB ?? 0, sigmoid.peakRssMB ?? 0);
  progress('memory: the seed job (npm start), peak RSS…');
  const seedMemory = measureSeedMemory();
  const result = {
    seedMemory,
    gradscope: { relu: relu.seconds, sigmoid: sigmoid.seconds },
    tfjsWasm: { relu: tfjsWasm },
    tfjsCpu: { relu: tfjsCpu },
    peakRssMB,
    probeOverhead,
    probeOverheadDetail: overhead,
    recurrent,
    stepGarbage,
    diagnose,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows: [string, number, string][] = [
    ['gradscope (relu)', relu.seconds, 'median of 3 full epochs'],
    ['gradscope (sigmoid)', sigmoid.seconds, 'median of 3 full epochs'],
    ['TF.js 4.22 wasm (relu)', tfjsWasm, `${wasmSamples} images, scaled`],
    ['TF.js 4.22 cpu (relu)', tfjsCpu, `${cpuSamples} images, scaled`],
  ];
  console.log('\nReference model, one epoch of 60,000 Fashion-MNIST images, batch 32, Adam');
  console.log('| system | s / epoch | vs gradscope relu | measured on |');
  console.log('|---|---:|---:|---|');
  for (const [name, seconds, how] of rows) {
    console.log(
      `| ${name} | ${seconds.toFixed(2)} | ${(seconds / relu.seconds).toFixed(1)}× | ${how} |`,
    );
  }
  console.log(`\nPeak RSS of a gradscope training process: ${peakRssMB.toFixed(0)} MB`);
  console.log(`Peak RSS of the seed job (npm start): ${seedMemory.seedPeakRssMiB.toFixed(0)} MiB`);
  console.log(`\nProbe overhead on ${overheadSamples}-image epochs (see bench/probe-overhead.ts):`);
  console.log(
    '| probes | epoch ÷ (epoch − time in probes) | fastest probed ÷ fastest bare epoch |',
  );
  console.log('|---|---:|---:|');
  const keys = ['normsEveryStep', 'scalarsEveryStep', 'histogramsEvery100', 'defaults'] as const;
  for (const key of keys) {
    console.log(
      `| ${key} | ${overhead.inCallbacks[key].toFixed(3)} | ${overhead[key].toFixed(3)} |`,
    );
  }
  console.log('\nGarbage a training step leaves on the JavaScript heap (bench/step-garbage.ts):');
  console.log('| callbacks | bytes a step | young-generation collections an epoch |');
  console.log('|---|---:|---:|');
  for (const [name, { bytesPerStep, scavengesPerEpoch }] of Object.entries(stepGarbage)) {
    console.log(`| ${name} | ${bytesPerStep.toFixed(0)} | ${scavengesPerEpoch} |`);
  }
  console.log(`\n${formatRecurrentBench(recurrent)}`);
  printDiagnoseBench(diagnose);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
