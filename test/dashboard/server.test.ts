/** The dashboard server: read-only, confined to the logdir, Host-checked, CSP, downsampling. */
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildDashboard,
  CONTENT_SECURITY_POLICY,
  startDashboard,
} from '../../src/dashboard/server.js';
import { MAX_FLOW_CELLS } from '../../src/dashboard/api.js';
import { MAX_SCALAR_POINTS } from '../../src/dashboard/downsample.js';
import { DirectoryProvider, type RunProvider } from '../../src/log/provider.js';
import { RunWriter } from '../../src/log/run-writer.js';
import { LAYERS, makeLogdir, writeRun } from './fixture.js';

const root = makeLogdir('gradscope-serve-');
const outside = makeLogdir('gradscope-outside-');
const PORT = 6107;
const HOST = { host: `127.0.0.1:${PORT}` };
let app: Awaited<ReturnType<typeof buildDashboard>>['app'];

before(async () => {
  writeRun(root, 'a', 30);
  writeRun(outside, 'secret', 3);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'do not serve');
  // A symlink inside the logdir that points out of it.
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
  const long = new RunWriter(path.join(root, 'long'));
  for (let step = 0; step < 10000; step++)
    long.scalar('loss', Math.sin(step / 50) + (step === 7777 ? 50 : 0), step);
  long.scalar('loss', NaN, 10000);
  long.close();
  ({ app } = await buildDashboard({ logdir: root, port: PORT, host: '127.0.0.1' }));
});
after(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const get = (url: string, headers: Record<string, string> = HOST) =>
  app.inject({ method: 'GET', url, headers });

function snapshot(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(e.parentPath, e.name);
      return `${file}:${fs.statSync(file).size}:${fs.statSync(file).mtimeMs}`;
    })
    .sort()
    .join('\n');
}

test('lists the runs under the logdir and none behind a symlink that points out', async () => {
  const response = await get('/api/runs');
  assert.equal(response.statusCode, 200);
  assert.deepEqual(
    response.json().runs.map((r: { name: string }) => r.name),
    ['a', 'long'],
  );
  assert.equal((await get('/api/run?run=link')).statusCode, 404);
});

test('is read-only: every method but GET and HEAD is refused and nothing on disk changes', async () => {
  const before = snapshot(root);
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
    for (const url of ['/api/runs', '/api/run?run=a', '/api/badges', '/index.html', '/a']) {
      const response = await app.inject({ method, url, headers: HOST, payload: '{}' });
      assert.equal(response.statusCode, 405, `${method} ${url}`);
    }
  }
  assert.equal((await app.inject({ method: 'HEAD', url: '/', headers: HOST })).statusCode, 200);
  assert.equal(snapshot(root), before);
});

test('no path outside the logdir or the page assets is reachable', async () => {
  const attempts = [
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    `/${outside}/secret.txt`,
    `//${outside}/secret.txt`,
    '/a/events.out.tfevents',
  ];
  for (const url of attempts) {
    const response = await get(url);
    assert.ok([400, 403, 404].includes(response.statusCode), `${url}: ${response.statusCode}`);
    assert.doesNotMatch(response.body, /root:|do not serve/);
  }
  for (const run of ['../', '..', outside, `${outside}/secret`, '/etc', 'link', 'a/../..']) {
    const response = await get(`/api/scalars?run=${encodeURIComponent(run)}&tag=loss`);
    assert.equal(response.statusCode, 404, run);
  }
});

test('checks the Host header against the bound address (DNS rebinding)', async () => {
  assert.equal((await get('/api/runs', { host: 'evil.example:6107' })).statusCode, 403);
  assert.equal(
    (await get('/api/runs', { host: `127.0.0.1.evil.example:${PORT}` })).statusCode,
    403,
  );
  for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`]) {
    assert.equal((await get('/api/runs', { host })).statusCode, 200, host);
  }
});

test('every response carries a Content-Security-Policy that allows no remote origin', async () => {
  for (const url of ['/', '/app.js', '/api/runs', '/missing']) {
    const csp = (await get(url)).headers['content-security-policy'];
    assert.equal(csp, CONTENT_SECURITY_POLICY, url);
  }
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*|unsafe-eval/);
});

test('a long series is downsampled by LTTB, keeps its ends, its spike and its NaN, and says so', async () => {
  const body = (await get('/api/scalars?run=long&tag=loss')).json();
  assert.equal(body.total, 10001);
  assert.equal(body.downsampled, true);
  assert.ok(body.points.length <= MAX_SCALAR_POINTS + 1, String(body.points.length));
  const steps = body.points.map((p: [number, number | null]) => p[0]);
  assert.equal(steps[0], 0);
  assert.ok(steps.includes(7777), 'the spike survives');
  assert.deepEqual(body.points.at(-1), [10000, null]);
  assert.equal(body.nonFinite, 1);
});

test('gradient flow: layers from the input side, in the order the run first logged them', async () => {
  const run = (await get('/api/run?run=a')).json();
  assert.deepEqual(run.layers, LAYERS);
  assert.deepEqual(run.quantities, ['grad_norm', 'update_ratio', 'signal_norm']);
  assert.equal(run.throughTime.length, 2);
  const flow = (await get('/api/flow?run=a&quantity=grad_norm')).json();
  assert.deepEqual(flow.layers, LAYERS);
  assert.equal(flow.series[0].points.length, 30);
  assert.equal((await get('/api/flow?run=a&quantity=bogus')).statusCode, 400);
});

test('a busy port gets a clear message and a suggestion', async () => {
  const first = await startDashboard({ logdir: root, port: 0 });
  const port = Number(new URL(first.url).port);
  await assert.rejects(
    startDashboard({ logdir: root, port }),
    new RegExp(`port ${port} on 127.0.0.1 is already in use.*--port ${port + 1}`),
  );
  await first.close();
});

test('a run keeps its version, and its cached series, until records are appended', async () => {
  const root = makeLogdir('gradscope-serve-versions-');
  writeRun(root, 'grow', 5);
  const { app } = await buildDashboard({ logdir: root, port: PORT, host: '127.0.0.1' });
  try {
    const call = async (url: string) =>
      (await app.inject({ method: 'GET', url, headers: HOST })).json();
    const version = async () => (await call('/api/runs')).runs[0].version;
    // The run is listed at once, with its progress while its first read goes on.
    for (let i = 0; i < 100 && (await version()) === undefined; i++) await sleep(10);
    const first = await version();
    assert.equal(typeof first, 'string');
    assert.equal(await version(), first);
    assert.equal((await call('/api/run?run=grow')).version, first);
    assert.equal((await call('/api/scalars?run=grow&tag=loss')).total, 5);
    const writer = new RunWriter(path.join(root, 'grow'));
    writer.scalar('loss', 0.5, 99);
    writer.close();
    assert.notEqual(await version(), first);
    const grown = await call('/api/scalars?run=grow&tag=loss');
    assert.equal(grown.total, 6);
    assert.deepEqual(grown.points.at(-1), [99, 0.5]);
  } finally {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a run still being read is listed with its progress at once, and its data come once read', async () => {
  const root = makeLogdir('gradscope-serve-loading-');
  writeRun(root, 'slow', 5);
  const directory = new DirectoryProvider(root);
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let read = false;
  // A provider whose first read of the run ends only when the test says so.
  const provider: RunProvider = {
    listRuns: () => directory.listRuns(),
    listTags: async (run) => {
      await gate;
      read = true;
      return directory.listTags(run);
    },
    readScalars: (run, tag) => directory.readScalars(run, tag),
    readScalarColumns: (run, tag) => directory.readScalarColumns(run, tag),
    readHistograms: (run, tag) => directory.readHistograms(run, tag),
    readTexts: (run, tag) => directory.readTexts(run, tag),
    warnings: () => directory.warnings(),
    version: async (run) => {
      await gate;
      return directory.version(run);
    },
    loading: () => (read ? undefined : { bytesRead: 5, bytes: 10 }),
  };
  const { app } = await buildDashboard({ logdir: root, port: PORT, host: '127.0.0.1', provider });
  try {
    const call = (url: string) => app.inject({ method: 'GET', url, headers: HOST });
    const listed = (await call('/api/runs')).json();
    assert.deepEqual(listed.runs, [{ name: 'slow', loading: { bytesRead: 5, bytes: 10 } }]);
    const info = call('/api/run?run=slow');
    release();
    assert.deepEqual((await info).json().layers, LAYERS);
    const after = (await call('/api/runs')).json().runs[0];
    assert.deepEqual(
      [after.loading, typeof after.version, after.flow],
      [undefined, 'string', true],
    );
  } finally {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('badges arrive once the background diagnosis of each run is done', async () => {
  const root = makeLogdir('gradscope-serve-badges-');
  for (const name of ['r1', 'r2']) writeRun(root, name, 5);
  const diagnosed: string[] = [];
  const diagnose = async (_provider: unknown, run: string) => {
    diagnosed.push(run);
    return { verdicts: [{ check: `check_${run}`, severity: 'warning' }], skipped: [] };
  };
  const { app } = await buildDashboard({ logdir: root, port: PORT, host: '127.0.0.1', diagnose });
  try {
    const badges = async () =>
      (await app.inject({ method: 'GET', url: '/api/badges', headers: HOST })).json();
    const first = await badges();
    assert.equal(first.available, true);
    assert.equal(first.pending, 2, 'nothing diagnosed before the first poll');
    let body = first;
    for (let i = 0; i < 50 && body.pending > 0; i++) {
      await sleep(20);
      body = await badges();
    }
    assert.deepEqual(body.badges, { r1: { warning: ['check_r1'] }, r2: { warning: ['check_r2'] } });
    await badges();
    const verdicts = (
      await app.inject({ method: 'GET', url: '/api/verdicts?run=r1', headers: HOST })
    ).json();
    assert.equal(verdicts.verdicts[0].check, 'check_r1');
    assert.deepEqual(diagnosed.sort(), ['r1', 'r2'], 'each run diagnosed once while unchanged');
  } finally {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a heatmap of many layers gets fewer steps per layer, so it stays a few thousand cells', async () => {
  const root = makeLogdir('gradscope-serve-layers-');
  const writer = new RunWriter(path.join(root, 'deep'));
  for (let step = 0; step < 500; step++) {
    for (let layer = 1; layer <= 50; layer++)
      writer.scalar(`grad_norm/dense_${layer}/kernel`, 1 / layer, step);
  }
  writer.close();
  const { app } = await buildDashboard({ logdir: root, port: PORT, host: '127.0.0.1' });
  try {
    const url = '/api/flow?run=deep&quantity=grad_norm';
    const flow = (await app.inject({ method: 'GET', url, headers: HOST })).json();
    assert.equal(flow.layers.length, 50);
    const cells = flow.series.reduce(
      (sum: number, s: { points: unknown[] }) => sum + s.points.length,
      0,
    );
    assert.ok(cells <= MAX_FLOW_CELLS, String(cells));
    assert.equal(flow.series[0].points.length, MAX_FLOW_CELLS / 50);
    assert.equal(flow.series[0].total, 500);
  } finally {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
