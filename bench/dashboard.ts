/**
 * The dashboard at scale: a logdir of 100 runs, and one run of 1,000,000 scalar points (50 tags
 * × 20,000 steps), each served by `gradscope serve` (with diagnose, as the command runs it) and
 * opened in headless chromium. Prints, median of 3 page loads each on a fresh server (so the
 * first read of the files is part of it; the page is opened as soon as the server listens): the
 * time from the server's start to the frame that paints the page's first chart (first paint),
 * its first scalar chart and its last chart, the server's CPU time to first paint, and
 * GET /api/runs on a fresh server and again (cold: answered while the run is still read).
 *
 * Run alone: node dist/bench/dashboard.js [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { diagnoseRun } from '../src/diagnose/diagnose.js';
import { median } from '../src/engine/statistics.js';
import { startDashboard } from '../src/dashboard/server.js';
import {
  ALL_CHARTS_MARK,
  FIRST_CHART_MARK,
  firstChartIn,
} from '../src/dashboard/web/first-paint.js';
import { RunWriter } from '../src/log/run-writer.js';

const json = process.argv.includes('--json');
const TAGS = 50;
const STEPS = 20000;

function say(line: string): void {
  if (!json) process.stderr.write(`${line}\n`);
}

function writeBigRun(dir: string): void {
  const writer = new RunWriter(dir);
  const tags = Array.from({ length: TAGS }, (_, i) =>
    i === 0 ? 'loss' : `grad_norm/dense_${i}/kernel`,
  );
  for (let step = 0; step < STEPS; step++) {
    for (let i = 0; i < TAGS; i++) writer.scalar(tags[i], Math.exp(-step / 5000) * (i + 1), step);
  }
  writer.close();
}

function writeManyRuns(root: string, runs: number): void {
  for (let r = 0; r < runs; r++) {
    const writer = new RunWriter(path.join(root, `run_${String(r).padStart(3, '0')}`));
    for (let step = 0; step < 200; step++) {
      writer.scalar('loss', 1 / (step + 1 + r), step);
      for (let l = 1; l <= 5; l++)
        writer.scalar(`grad_norm/dense_${l}/kernel`, 10 ** (l - 5), step);
    }
    writer.close();
  }
}

const REPEATS = 3;

interface PaintTimes {
  /** Server start (then navigation at once) to the frame that paints the page's first chart. */
  firstMarkSeconds: number;
  /** Server start to the frame that paints the first chart of the scalars view. */
  firstScalarSeconds: number;
  /** Server start to the frame after every view has drawn. */
  allChartsSeconds: number;
  /** CPU time of the server process (user + system) from its start until a mark is seen. */
  serverCpuSeconds: number;
}

/**
 * One page load on a fresh server: the first read of the run's files is part of first paint.
 * The page sets a performance mark in the frame that paints each of these (first-paint.ts), so
 * the times are the page's own, not when a poll from here got through to a busy main thread.
 */
async function firstPaint(browser: Browser, logdir: string): Promise<PaintTimes> {
  // The page first: the server indexes the logdir as it starts, and the clock must see that.
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const cpuStart = process.cpuUsage();
  const serverStart = performance.now();
  const dashboard = await startDashboard({ logdir, port: 0, diagnose: diagnoseRun });
  try {
    // What the server did before the navigation counts too.
    const listening = (performance.now() - serverStart) / 1000;
    await page.goto(dashboard.url);
    const markSeconds = async (mark: string) => {
      const handle = await page.waitForFunction(
        (name) => performance.getEntriesByName(name)[0]?.startTime,
        mark,
        { timeout: 120000 },
      );
      return listening + ((await handle.jsonValue()) as number) / 1000;
    };
    const firstMarkSeconds = await markSeconds(FIRST_CHART_MARK);
    const cpu = process.cpuUsage(cpuStart);
    const allChartsSeconds = await markSeconds(ALL_CHARTS_MARK);
    return {
      firstMarkSeconds,
      firstScalarSeconds: await markSeconds(firstChartIn('scalar-charts')),
      allChartsSeconds,
      serverCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await page.close();
    await dashboard.close();
  }
}

interface RunsApiTimes {
  /** The first GET /api/runs on a fresh server: answered while runs are still being read. */
  coldSeconds: number;
  /** Server start until GET /api/runs lists every run as read (polled every 20 ms). */
  readSeconds: number;
  /** GET /api/runs once every run is read. */
  warmSeconds: number;
}

async function runsApi(logdir: string): Promise<RunsApiTimes> {
  const serverStart = performance.now();
  const dashboard = await startDashboard({ logdir, port: 0 });
  try {
    const timed = async () => {
      const start = performance.now();
      const body = (await (await fetch(new URL('/api/runs', dashboard.url))).json()) as {
        runs: { loading?: unknown }[];
      };
      return { seconds: (performance.now() - start) / 1000, body };
    };
    const coldSeconds = (await timed()).seconds;
    while ((await timed()).body.runs.some((run) => run.loading))
      await new Promise((resolve) => setTimeout(resolve, 20));
    const readSeconds = (performance.now() - serverStart) / 1000;
    return { coldSeconds, readSeconds, warmSeconds: (await timed()).seconds };
  } finally {
    await dashboard.close();
  }
}

async function measure(browser: Browser, logdir: string) {
  const loads: PaintTimes[] = [];
  for (let i = 0; i < REPEATS; i++) loads.push(await firstPaint(browser, logdir));
  const pick = (key: keyof PaintTimes) => median(loads.map((load) => load[key]));
  return {
    firstMarkSeconds: pick('firstMarkSeconds'),
    firstScalarSeconds: pick('firstScalarSeconds'),
    allChartsSeconds: pick('allChartsSeconds'),
    serverCpuSeconds: pick('serverCpuSeconds'),
    ...(await runsApi(logdir)),
  };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-bench-dashboard-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    say(`writing one run of ${TAGS * STEPS} points…`);
    writeBigRun(path.join(root, 'big', 'run'));
    const bytes = fs
      .readdirSync(path.join(root, 'big', 'run'))
      .reduce((sum, name) => sum + fs.statSync(path.join(root, 'big', 'run', name)).size, 0);
    say(`opening it ${REPEATS}× in chromium…`);
    const big = await measure(browser, path.join(root, 'big'));
    say('writing 100 runs…');
    writeManyRuns(path.join(root, 'many'), 100);
    const many = await measure(browser, path.join(root, 'many'));
    const load = os.loadavg()[0];
    const result = { millionPoints: { ...big, megabytes: bytes / 1e6 }, hundredRuns: many, load };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    console.log(
      `\nDashboard (gradscope serve + headless chromium, fresh server each, median of ${REPEATS}, times from the server's start; load average ${load.toFixed(1)} on ${os.cpus().length} cores):`,
    );
    console.log(
      '| logdir | first chart mark | first scalar chart | all charts drawn | server CPU to first mark | GET /api/runs cold / warm | every run read |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    const row = (name: string, r: typeof big) =>
      console.log(
        `| ${name} | ${r.firstMarkSeconds.toFixed(2)} s | ${r.firstScalarSeconds.toFixed(2)} s | ` +
          `${r.allChartsSeconds.toFixed(2)} s | ${r.serverCpuSeconds.toFixed(2)} s | ` +
          `${r.coldSeconds.toFixed(3)} s / ${r.warmSeconds.toFixed(3)} s | ${r.readSeconds.toFixed(2)} s |`,
      );
    row(`1 run, ${TAGS * STEPS} points (${(bytes / 1e6).toFixed(0)} MB)`, big);
    row('100 runs', many);
  } finally {
    await browser.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
