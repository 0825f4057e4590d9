/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (.ci/run installs
 * it). Each view draws its marks for a fixture logdir, two runs compare side by side, a record
 * appended to a run appears without a reload, and names are shown as text, never as markup.
 */
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { diagnoseRun } from '../../src/diagnose/diagnose.js';
import { DirectoryProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { makeLogdir, writeRun } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
/** A run name that would run script if the page ever put names into markup. */
const HOSTILE = 'zz <img src=x onerror="window.pwned=1">';
const root = makeLogdir('gradscope-browser-');
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];

before(async () => {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `expected Debian's chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
  writeRun(root, 'alpha', 40);
  writeRun(root, 'beta', 40, 7);
  writeRun(root, HOSTILE, 5);
  dashboard = await startDashboard({ logdir: root, port: 0, diagnose: diagnoseRun });
  // launch() starts chromium on a fresh, temporary user-data-dir of its own.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  page.on('response', (response) => {
    if (response.status() >= 400) consoleErrors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  await page.goto(dashboard.url);
});

after(async () => {
  await browser?.close();
  await dashboard?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Marks of one datum each (bars, cells, points) under `selector` whose label matches `pattern`. */
async function marks(selector: string, pattern: RegExp): Promise<number> {
  const one = ['rect', 'symbol'].map((mark) => `${selector} .mark-${mark} path[aria-label]`);
  const labels = await page.$$eval(one.join(', '), (elements) =>
    elements.map((e) => e.getAttribute('aria-label') ?? ''),
  );
  return labels.filter((label) => pattern.test(label)).length;
}

let wiggle = 0;
/**
 * Moves the pointer over the loss chart at `fraction` of its line's width (1: the last point)
 * and counts the hover marks whose label matches `pattern`: points are drawn on demand only.
 */
async function hoverLoss(fraction: number, pattern: RegExp): Promise<number> {
  const line = page.locator('#scalar-charts .chart').first().locator('.mark-line path').first();
  let box;
  try {
    await line.scrollIntoViewIfNeeded({ timeout: 1000 });
    box = await line.boundingBox({ timeout: 1000 });
  } catch {
    return 0; // not drawn yet, or redrawn meanwhile: the caller asks again
  }
  if (!box) return 0;
  wiggle = 1 - wiggle; // a pointer that does not move sends no event
  await page.mouse.move(box.x + box.width * fraction - wiggle, box.y + box.height / 2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return marks('#scalar-charts', pattern);
}

async function until(what: string, check: () => Promise<boolean>, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('the page loads every run, draws each view, and logs no console error', async () => {
  await until('the run list', async () => (await page.$$('#run-list li')).length === 3);
  assert.equal(
    await page.textContent('#run-note'),
    'Showing alpha: the first run with gradient-flow tags.',
  );
  await until(
    'the gradient-flow bars',
    async () => (await marks('#flow-bars', /^layer: dense_/)) === 3,
  );
  assert.equal(
    await marks('#flow-heatmap', /^step: \d+; layer \(input side on top\): dense_/),
    3 * 40,
  );
  await until(
    'the loss chart',
    async () => (await page.$$('#scalar-charts .mark-line')).length > 0,
  );
  assert.equal(await marks('#scalar-charts', /loss/), 0, 'no point marks until hovered');
  await until(
    'the values on hover',
    async () => (await hoverLoss(0.5, /^step: \d+; loss: .*; run: alpha/)) > 0,
  );
  assert.match(
    (await page.textContent('#scalar-charts .mark-text text[aria-label]')) ?? '',
    /^alpha: -?\d.* at step \d+$/,
    'the hovered value is written beside its point',
  );
  await page.mouse.move(0, 0);
  await until(
    'the histograms',
    async () => (await page.$$('#histogram-charts .mark-area path')).length > 0,
  );
  assert.ok((await page.$$('#histogram-charts .mark-line path')).length > 0, 'the overlay');
  await until(
    'the through-time chart',
    async () => (await marks('#time-charts', /^time step t: \d+; ‖∂L\/∂h_t‖/)) === 16,
  );
  assert.deepEqual(consoleErrors, []);
  for (const url of requests)
    assert.ok(url.startsWith(dashboard.url), `request left the server: ${url}`);
});

test('two runs compare side by side in the gradient flow', async () => {
  await page.check('#run-list input[id="run-beta"]');
  await until('bars of both runs', async () => (await marks('#flow-bars', /run: beta/)) === 3);
  assert.equal(await marks('#flow-bars', /run: alpha/), 3);
  assert.equal((await page.$$('#flow-heatmap .chart')).length, 2);
});

test('a record appended to a run appears without a reload', async () => {
  const writer = new RunWriter(path.join(root, 'alpha'));
  writer.scalar('loss', 0.05, 4321);
  writer.close();
  await until('the new point', async () => (await hoverLoss(1, /^step: 4321; loss/)) > 0, 5000);
  await page.mouse.move(0, 0);
});

test('run names are shown as text, never run as markup', async () => {
  const labels = await page.$$eval('#run-list label', (elements) =>
    elements.map((e) => e.textContent),
  );
  assert.ok(labels.includes(HOSTILE), JSON.stringify(labels));
  assert.equal(
    await page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
    undefined,
  );
  assert.equal(await page.$$eval('#run-list img', (images) => images.length), 0);
});

test('the verdicts view lists what diagnose finds for each picked run, with badges', async () => {
  const provider = new DirectoryProvider(root);
  // alpha and beta are picked by now: one table each, a header row and a row per verdict.
  const expected = await Promise.all(['alpha', 'beta'].map((run) => diagnoseRun(provider, run)));
  const rows = expected.reduce(
    (sum, d) => sum + (d.verdicts.length ? d.verdicts.length + 1 : 0),
    0,
  );
  await until('the verdict rows', async () => (await page.$$('#verdict-list tr')).length === rows);
  const checks = await page.$$eval('#verdict-list td:first-child', (cells) =>
    cells.map((c) => c.textContent),
  );
  for (const verdict of expected.flatMap((d) => d.verdicts)) {
    assert.ok(checks.includes(verdict.check), verdict.check);
  }
  const badges = await page.$$eval('#run-list .badge', (b) => b.map((e) => e.textContent));
  assert.equal(
    badges.length > 0,
    expected.some((d) => d.verdicts.length > 0),
  );
});
