/** The run directory: checked --out, a manifest of what gradscope wrote, a lock, thread-unique names. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  checkOutDir,
  LOCK_NAME,
  MANIFEST_NAME,
  RunDirectory,
  RunDirectoryError,
} from '../../src/log/run-dir.js';
import { RunWriter } from '../../src/log/run-writer.js';

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'run-dir-'));

test('checkOutDir refuses empty, root, virtual and non-directory paths, and takes a new one', () => {
  const file = path.join(temp(), 'a-file');
  fs.writeFileSync(file, 'x');
  const cases: [string, RegExp][] = [
    ['', /received an empty path/],
    ['   ', /received an empty path/],
    ['/', /received the file-system root/],
    ['/proc/self', /inside the virtual file system \/proc/],
    ['/proc/self/fd/x/y', /inside the virtual file system \/proc/],
    ['/sys/kernel', /inside the virtual file system \/sys/],
    ['/dev/null', /inside the virtual file system \/dev/],
    [file, /exists and is not a directory/],
  ];
  for (const [dir, message] of cases) {
    assert.throws(
      () => checkOutDir(dir),
      (error: unknown) => error instanceof RunDirectoryError && message.test(error.message),
      JSON.stringify(dir),
    );
  }
  const fresh = path.join(temp(), 'new', 'deeper');
  assert.equal(checkOutDir(fresh), fresh);
  assert.equal(fs.existsSync(fresh), false, 'checking creates nothing');
});

test('a symlink into /proc is refused like /proc itself', () => {
  const link = path.join(temp(), 'proc-link');
  fs.symlinkSync('/proc/self', link);
  assert.throws(() => checkOutDir(path.join(link, 'run')), /virtual file system \/proc/);
});

test('removeOwn deletes what gradscope wrote and nothing else', () => {
  const dir = temp();
  fs.mkdirSync(path.join(dir, 'figures'));
  fs.mkdirSync(path.join(dir, 'titanic', 'notes'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'figures', 'theirs.png'), 'keep');
  fs.writeFileSync(path.join(dir, 'titanic', 'notes', 'my.tfevents.txt'), 'keep');
  const runDir = RunDirectory.open(dir);
  runDir.writeFiles([
    { path: 'figures/ours.png', data: 'png' },
    { path: 'report.html', data: '<html>' },
  ]);
  const writer = new RunWriter(path.join(dir, 'titanic', 'relu'));
  writer.scalar('loss', 1, 0);
  writer.close();
  assert.equal(runDir.claimEventFiles('titanic'), 1);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_NAME), 'utf8')) as {
    files: string[];
  };
  assert.deepEqual(manifest.files, [
    'figures/ours.png',
    'report.html',
    `titanic/relu/${path.basename(writer.path)}`,
  ]);
  runDir.removeOwn(['titanic', 'figures'], ['report.html']);
  assert.equal(fs.existsSync(writer.path), false);
  assert.equal(fs.existsSync(path.join(dir, 'titanic', 'relu')), false, 'emptied folder goes');
  assert.equal(fs.existsSync(path.join(dir, 'figures', 'ours.png')), false);
  assert.equal(fs.existsSync(path.join(dir, 'report.html')), false);
  assert.equal(fs.readFileSync(path.join(dir, 'figures', 'theirs.png'), 'utf8'), 'keep');
  assert.equal(
    fs.readFileSync(path.join(dir, 'titanic', 'notes', 'my.tfevents.txt'), 'utf8'),
    'keep',
  );
  runDir.release();
  assert.equal(fs.existsSync(path.join(dir, LOCK_NAME)), false, 'released');
});

test('a file gradscope would write but did not is refused, never overwritten', () => {
  const dir = temp();
  fs.writeFileSync(path.join(dir, 'report.html'), 'theirs');
  fs.mkdirSync(path.join(dir, 'fashion', 'relu'), { recursive: true });
  const foreign = path.join(dir, 'fashion', 'relu', 'events.out.tfevents.1.other-host');
  fs.writeFileSync(foreign, 'theirs');
  const runDir = RunDirectory.open(dir);
  try {
    assert.throws(
      () => runDir.writeFile('report.html', 'ours'),
      /report\.html exists and gradscope did not write it .*refusing to overwrite it/,
    );
    assert.throws(
      () => runDir.checkWritable([], ['fashion']),
      /events\.out\.tfevents\.1\.other-host is an event file gradscope did not write/,
    );
    runDir.checkWritable([], ['titanic']);
    assert.equal(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'), 'theirs');
    assert.equal(fs.readFileSync(foreign, 'utf8'), 'theirs');
  } finally {
    runDir.release();
  }
});

test('a second writer is refused while the first lives, and let in after it released', () => {
  const dir = temp();
  const first = RunDirectory.open(dir, { command: 'gradscope titanic' });
  assert.throws(
    () => RunDirectory.open(dir),
    new RegExp(
      `another gradscope run \\(pid ${process.pid} on .*: gradscope titanic\\) is writing to`,
    ),
  );
  first.release();
  RunDirectory.open(dir).release();
});

test('a stale lock of a dead process is taken over and its event files count as ours', () => {
  const dir = temp();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  const pid = Number(dead.stdout);
  const host = os.hostname();
  const lock = { pid, host, startedAt: '2026-01-01T00:00:00.000Z', command: 'gradscope titanic' };
  fs.writeFileSync(path.join(dir, LOCK_NAME), JSON.stringify(lock));
  fs.mkdirSync(path.join(dir, 'titanic', 'relu'), { recursive: true });
  const orphan = path.join(dir, 'titanic', 'relu', `events.out.tfevents.1.${host}.${pid}.0.0`);
  fs.writeFileSync(orphan, 'left by the killed run');
  const lines: string[] = [];
  const runDir = RunDirectory.open(dir, { log: (line) => lines.push(line) });
  assert.match(lines.join('\n'), new RegExp(`took over the lock of gradscope pid ${pid}`));
  assert.ok(runDir.owns(`titanic/relu/${path.basename(orphan)}`));
  runDir.checkWritable([], ['titanic']);
  runDir.removeOwn(['titanic']);
  assert.equal(fs.existsSync(orphan), false);
  const held = JSON.parse(fs.readFileSync(path.join(dir, LOCK_NAME), 'utf8')) as { pid: number };
  assert.equal(held.pid, process.pid);
  runDir.release();
});

test('writers opened by worker threads in the same instant get distinct file names', async () => {
  const dir = temp();
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const writerUrl = new URL('../../src/log/run-writer.js', import.meta.url).href;
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.writerUrl).then(({ RunWriter }) => {
      parentPort.postMessage('ready');
      Atomics.wait(workerData.gate, 0, 0);
      try {
        const writer = new RunWriter(workerData.dir);
        writer.close();
        parentPort.postMessage(writer.path);
      } catch (error) {
        parentPort.postMessage('error: ' + error.message);
      }
    });`;
  const workers = [0, 1, 2].map(
    () => new Worker(code, { eval: true, workerData: { dir, gate, writerUrl } }),
  );
  const ids = workers.map((w) => w.threadId);
  const messages = workers.map((worker) => {
    const seen: string[] = [];
    return {
      ready: new Promise<void>((resolve) =>
        worker.on('message', (m: string) => {
          seen.push(m);
          if (m === 'ready') resolve();
        }),
      ),
      done: new Promise<string>((resolve) =>
        worker.on('exit', () => resolve(seen[seen.length - 1])),
      ),
    };
  });
  await Promise.all(messages.map((m) => m.ready));
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  const paths = await Promise.all(messages.map((m) => m.done));
  for (const p of paths) assert.doesNotMatch(p, /^error/);
  assert.equal(new Set(paths).size, 3);
  const threadIds = paths.map((p) => Number(path.basename(p).split('.').at(-2)));
  assert.deepEqual(
    threadIds.sort((a, b) => a - b),
    ids.sort((a, b) => a - b),
  );
});
