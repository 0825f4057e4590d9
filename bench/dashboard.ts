/**
 * The dashboard at scale: a logdir of 100 runs, and one run of 1,000,000 scalar points (50 tags
 * × 20,000 steps), each served by `gradscope serve` and opened in headless chromium. Prints the
 * time from navigation to the first chart on the page, and the API's response times.
 *
 * Run alone: node dist/bench/dashboard.js [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard } from '../src/dashboard/server.js';
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

async function firstPaint(
  logdir: string,
): Promise<{ firstChartSeconds: number; runsApiSeconds: number }> {
  const dashboard = await startDashboard({ logdir, port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const apiStart = performance.now();
    await fetch(new URL('/api/runs', dashboard.url));
    const runsApiSeconds = (performance.now() - apiStart) / 1000;
    const page = await browser.newPage();
    const start = performance.now();
    await page.goto(dashboard.url);
    await page.waitForSelector('#scalar-charts .mark-line path', { timeout: 60000 });
    return { firstChartSeconds: (performance.now() - start) / 1000, runsApiSeconds };
  } finally {
    await browser.close();
    await dashboard.close();
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-bench-dashboard-'));
  try {
    say(`writing one run of ${TAGS * STEPS} points…`);
    writeBigRun(path.join(root, 'big', 'run'));
    const bytes = fs
      .readdirSync(path.join(root, 'big', 'run'))
      .reduce((sum, name) => sum + fs.statSync(path.join(root, 'big', 'run', name)).size, 0);
    // A fresh server each time: the first read of the run's files is part of first paint.
    const big = await firstPaint(path.join(root, 'big'));
    say('writing 100 runs…');
    writeManyRuns(path.join(root, 'many'), 100);
    const many = await firstPaint(path.join(root, 'many'));
    const result = { millionPoints: { ...big, megabytes: bytes / 1e6 }, hundredRuns: many };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    console.log('\nDashboard (gradscope serve + headless chromium, fresh server each):');
    console.log('| logdir | first chart on the page | GET /api/runs |');
    console.log('|---|---:|---:|');
    console.log(
      `| 1 run, ${TAGS * STEPS} points (${(bytes / 1e6).toFixed(0)} MB) | ${big.firstChartSeconds.toFixed(2)} s | ${big.runsApiSeconds.toFixed(2)} s |`,
    );
    console.log(
      `| 100 runs | ${many.firstChartSeconds.toFixed(2)} s | ${many.runsApiSeconds.toFixed(2)} s |`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
