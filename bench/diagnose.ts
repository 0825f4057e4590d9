/**
 * The diagnose bench: reading and diagnosing a large run, the labelled zoo's recall and false
 * alarms (bench/diagnose-zoo.ts), and the live Diagnoser's overhead (bench/diagnoser-overhead.ts).
 *
 * Reading and diagnosing a large run: 1,000,000 scalar records (50 tags × 20,000 steps), once
 * in gradscope's own tensor-scalar form and once as PyTorch's SummaryWriter writes them
 * (`simple_value`). Each measurement runs in a fresh process (nothing warm, memory its own):
 * "read" lists the tags and reads every scalar series through DirectoryProvider as columns
 * (`readScalarColumns`, what `diagnose` reads); "diagnose"
 * runs `diagnoseRun` (every rule) on the same run; both are timed inside the process, after
 * its modules loaded. "cli" is what a user waits for: `gradscope diagnose --json <run>` as a
 * whole process, timed from its start to its exit (Node's own start-up and the module loading
 * included; its CPU and memory are not measured from outside). Prints records/s, MB/s and peak
 * RSS over the file size; the median of 3 runs each (the machine is shared, so single timings
 * are noisy). The runs are generated once into the OS temp directory and reused.
 *
 * Run alone: node dist/bench/diagnose.js [--json] [--reading] (--reading: only the large runs)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../src/engine/statistics.js';
import { encodeEvent, type SummaryValueMessage } from '../src/log/proto.js';
import { DirectoryProvider } from '../src/log/provider.js';
import { encodeRecord } from '../src/log/record-format.js';
import { scalarSummaryValue } from '../src/log/scalars.js';
import type { ZooScore } from '../src/diagnose/zoo/evaluate.js';
import { measureDiagnoserOverhead, type DiagnoserOverhead } from './diagnoser-overhead.js';
import { benchZoo } from './diagnose-zoo.js';

const TAG_COUNT = 50;
const STEPS = 20000;
const REPEATS = 3;
const ROOT = path.join(os.tmpdir(), 'gradscope-bench-diagnose');
const FORMS = ['tensor', 'simple_value'] as const;
type Form = (typeof FORMS)[number];
const MODES = ['read', 'diagnose', 'cli'] as const;
type Mode = (typeof MODES)[number];
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

export interface ReadMeasurement {
  seconds: number;
  /**
   * CPU time (user + system) of the same work: less sensitive to other load than `seconds`.
   * NaN for the "cli" mode, as are the RSS figures (see DiagnoseBench).
   */
  cpuSeconds: number;
  records: number;
  bytes: number;
  peakRssMB: number;
  /** RSS when the measurement started (Node and the modules loaded): peak − this is the run's. */
  startRssMB: number;
}

/** Tags as gradscope's probes name them: the loss, then norms of 7 dense layers' variables. */
function benchTags(): string[] {
  const tags = ['loss'];
  for (let layer = 1; tags.length < TAG_COUNT; layer++) {
    for (const variable of ['kernel', 'bias']) {
      tags.push(`grad_norm/dense_${layer}/${variable}`);
      tags.push(`update_ratio/dense_${layer}/${variable}`);
    }
    tags.push(`signal_norm/dense_${layer}`);
  }
  return tags.slice(0, TAG_COUNT);
}

function value(form: Form, tag: string, x: number): SummaryValueMessage {
  return form === 'tensor' ? scalarSummaryValue(tag, x) : { tag, simpleValue: x };
}

/** Writes the run of `form` unless it is there already; returns its directory. */
function ensureRun(form: Form): string {
  const dir = path.join(ROOT, form);
  const file = path.join(dir, 'events.out.tfevents.1.bench');
  if (fs.existsSync(file)) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const tags = benchTags();
  const fd = fs.openSync(`${file}.partial`, 'w');
  fs.writeSync(fd, encodeRecord(encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' })));
  for (let step = 0; step < STEPS; step++) {
    const records = tags.map((tag, k) => {
      const x = tag === 'loss' ? 2 / (1 + step / 1000) : (1 + k) * 1e-3 * (1 + Math.sin(step));
      const event = { wallTime: 1e9 + step, step, summary: { value: [value(form, tag, x)] } };
      return encodeRecord(encodeEvent(event));
    });
    fs.writeSync(fd, Buffer.concat(records));
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.partial`, file);
  return dir;
}

async function countScalars(provider: DirectoryProvider, tag: string): Promise<number> {
  return (await provider.readScalarColumns('.', tag)).steps.length;
}

async function measureInProcess(dir: string, mode: Mode): Promise<ReadMeasurement> {
  const bytes = fs
    .readdirSync(dir)
    .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  const startRssMB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const provider = new DirectoryProvider(dir);
  let records = 0;
  if (mode === 'diagnose') {
    const { diagnoseRun } = await import('../src/diagnose/diagnose.js');
    await diagnoseRun(provider, '.');
  } else {
    const tags = await provider.listTags('.');
    for (const tag of tags.scalars) records += await countScalars(provider, tag);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  if (mode === 'diagnose') {
    // Counted after the clock stopped: the index holds every record already.
    const tags = await provider.listTags('.');
    for (const tag of tags.scalars) records += await countScalars(provider, tag);
  }
  return { seconds, cpuSeconds, records, bytes, peakRssMB, startRssMB };
}

function measureInChild(dir: string, mode: Mode): ReadMeasurement {
  const script = fileURLToPath(import.meta.url);
  if (mode === 'cli') return measureCli(dir);
  const out = execFileSync(process.execPath, [script, '--child', dir, mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as ReadMeasurement;
}

/** `gradscope diagnose --json <dir>` as a whole process, from its start to its exit. */
function measureCli(dir: string): ReadMeasurement {
  const started = performance.now();
  const out = execFileSync(process.execPath, [CLI, 'diagnose', '--json', dir], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  JSON.parse(out); // the run was diagnosed, not refused
  const bytes = fs
    .readdirSync(dir)
    .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  return {
    seconds,
    cpuSeconds: NaN,
    records: TAG_COUNT * STEPS,
    bytes,
    peakRssMB: NaN,
    startRssMB: NaN,
  };
}

export interface DiagnoseBench {
  form: Form;
  mode: Mode;
  seconds: number;
  /** Null here and below for the "cli" mode, timed from outside the process. */
  cpuSeconds: number | null;
  recordsPerSecond: number;
  mbPerSecond: number;
  fileMB: number;
  peakRssMB: number | null;
  /** (peak RSS − RSS at start) / file size: the memory the run itself took, per file byte. */
  memoryOverFile: number | null;
}

/** Median of REPEATS fresh processes for each form and mode. */
export function benchReading(progress: (line: string) => void): DiagnoseBench[] {
  const results: DiagnoseBench[] = [];
  for (const form of FORMS) {
    progress(`diagnose bench: preparing the ${form} run (1M records, cached in ${ROOT})…`);
    const dir = ensureRun(form);
    for (const mode of MODES) {
      const runs = Array.from({ length: REPEATS }, () => measureInChild(dir, mode));
      const seconds = median(runs.map((r) => r.seconds));
      const { records, bytes } = runs[0];
      const inside = (of: (r: ReadMeasurement) => number) =>
        mode === 'cli' ? null : median(runs.map(of));
      results.push({
        form,
        mode,
        seconds,
        cpuSeconds: inside((r) => r.cpuSeconds),
        recordsPerSecond: records / seconds,
        mbPerSecond: bytes / 1e6 / seconds,
        fileMB: bytes / 1e6,
        peakRssMB: inside((r) => r.peakRssMB),
        memoryOverFile: inside((r) => ((r.peakRssMB - r.startRssMB) * 2 ** 20) / bytes),
      });
    }
  }
  return results;
}

export function printReading(results: DiagnoseBench[]): void {
  console.log(
    '\nReading a run of 1,000,000 scalar records (50 tags × 20,000 steps), fresh process:',
  );
  console.log(
    '| form | what | s (median of 3) | CPU s | M records/s | MB/s | file MB | peak RSS MB | (peak − start RSS) ÷ file |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  const figure = (x: number | null, digits: number) => (x === null ? '—' : x.toFixed(digits));
  for (const r of results) {
    console.log(
      `| ${r.form} | ${r.mode} | ${r.seconds.toFixed(2)} | ${figure(r.cpuSeconds, 2)} | ${(r.recordsPerSecond / 1e6).toFixed(2)} | ` +
        `${r.mbPerSecond.toFixed(0)} | ${r.fileMB.toFixed(0)} | ${figure(r.peakRssMB, 0)} | ` +
        `${figure(r.memoryOverFile, 2)} |`,
    );
  }
}

export interface DiagnoseBenchResult {
  reading: DiagnoseBench[];
  zoo: {
    recall: ZooScore['recall'];
    falseAlarms: number;
    healthyRuns: number;
    runs: number;
    seconds: number;
  };
  diagnoserOverhead: DiagnoserOverhead;
  /** The same over runs of RUN_EPOCHS epochs, each cost a run pays once spread over them. */
  diagnoserOverheadPerRun: DiagnoserOverhead;
}

/** Epochs of the longer runs the Diagnoser is timed on: the fashion experiment's default. */
const RUN_EPOCHS = 10;
/** Runs of RUN_EPOCHS timed: 3 take about a minute. */
const RUN_REPEATS = 3;

async function measureAll(progress: (line: string) => void): Promise<DiagnoseBenchResult> {
  const reading = benchReading(progress);
  progress('diagnose bench: training and diagnosing the zoo…');
  const score = await benchZoo();
  progress('diagnose bench: the live Diagnoser on the reference model…');
  const diagnoserOverhead = await measureDiagnoserOverhead();
  progress(`diagnose bench: the live Diagnoser over runs of ${RUN_EPOCHS} epochs…`);
  const diagnoserOverheadPerRun = await measureDiagnoserOverhead(
    undefined,
    RUN_REPEATS,
    RUN_EPOCHS,
  );
  const { recall, falseAlarms, healthyRuns, seconds } = score;
  return {
    reading,
    zoo: { recall, falseAlarms, healthyRuns, runs: score.runs.length, seconds },
    diagnoserOverhead,
    diagnoserOverheadPerRun,
  };
}

export function printDiagnoseBench(result: DiagnoseBenchResult): void {
  printReading(result.reading);
  const { zoo } = result;
  console.log(
    `\nDiagnose zoo (src/diagnose/zoo): ${zoo.runs} runs, ${zoo.healthyRuns} healthy, ${zoo.seconds.toFixed(1)} s`,
  );
  console.log('| check | recall |');
  console.log('|---|---:|');
  for (const [check, { found, labelled }] of Object.entries(zoo.recall))
    console.log(`| ${check} | ${found}/${labelled} |`);
  console.log(`False alarms (errors or warnings on healthy runs): ${zoo.falseAlarms}`);
  const o = result.diagnoserOverhead;
  console.log(
    `\nLive Diagnoser on the reference model (default probes), rules on ${o.rulesOn}, ${clockName(o)}: ` +
      `epoch ÷ (epoch − its cost) = ${o.ratio.toFixed(3)} ` +
      `(median of ${o.repeats.length} epochs: ${o.secondsInDiagnoser.toFixed(3)} s of a ${o.epochSeconds.toFixed(2)} s epoch, ${o.evaluations} evaluations); ` +
      `the process's first epoch (${firstCost(o)}): ${o.firstRatio.toFixed(3)}`,
  );
  console.log(costParts(o));
  const r = result.diagnoserOverheadPerRun;
  console.log(
    `Over runs of ${RUN_EPOCHS} epochs: run ÷ (run − its cost) = ${r.ratio.toFixed(3)} ` +
      `(median of ${r.repeats.length} runs: ${r.secondsInDiagnoser.toFixed(4)} s an epoch of ${r.epochSeconds.toFixed(2)} s, ${r.evaluations} evaluations a run); ` +
      `the first of those runs (the process's second with a Diagnoser): ${r.firstRatio.toFixed(3)}`,
  );
  console.log(costParts(r));
}

/** Whose CPU time the bench read. */
function clockName(o: DiagnoserOverhead): string {
  return o.clock === 'thread'
    ? 'CPU time of the training thread'
    : 'CPU time of the process (every thread: the native addon, whose clock it lacks, did not load)';
}

/** What a process's first Diagnoser pays once, as the bench's first line names it. */
function firstCost(o: DiagnoserOverhead): string {
  if (o.rulesOn === 'the training thread') return "with the rules' code still cold";
  return `starting the rules' thread: ${(o.repeats[0].secondsMaking * 1e3).toFixed(1)} ms`;
}

/** The Diagnoser's cost in its parts (medians, an epoch), and the first repeat's evaluations. */
function costParts(o: DiagnoserOverhead): string {
  const ms = (seconds: number) => (seconds * 1e3).toFixed(1);
  const first = o.repeats[0].evaluationMilliseconds.map((t) => t.toFixed(1)).join(', ');
  const own = o.rulesOn === 'their own thread';
  const evaluating = own ? 'handing records to the rules’ thread' : 'evaluating every rule';
  const looks = own ? 'non-finite records and answers' : 'non-finite records';
  return (
    `  its parts, medians in CPU ms an epoch: keeping records ${ms(o.secondsInSink)}, ` +
    `${evaluating} ${ms(o.secondsInEvaluations)}, the per-step look for ${looks} ` +
    `${ms(o.secondsInStepLooks)}; the first repeat's evaluations: ${first} ms`
  );
}

/** The whole diagnose bench in a fresh process, for `npm run bench`. */
export function runDiagnoseBench(progress: (line: string) => void): DiagnoseBenchResult {
  progress('diagnose bench (bench/diagnose.ts)…');
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as DiagnoseBenchResult;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await measureInProcess(args[1], args[2] as Mode);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const json = args.includes('--json');
  const progress = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  if (args.includes('--reading')) {
    const reading = benchReading(progress);
    if (json) process.stdout.write(`${JSON.stringify({ reading })}\n`);
    else printReading(reading);
    return;
  }
  const result = await measureAll(progress);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printDiagnoseBench(result);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
