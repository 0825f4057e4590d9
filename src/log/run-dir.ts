/**
 * A run directory that gradscope owns: it knows what it wrote, replaces only that, and keeps a
 * second writer out.
 *
 * On disk, beside the run's files, `--out` holds:
 * - `.gradscope-manifest.json`: every file gradscope wrote there, as paths relative to the
 *   directory (`{ "format": "gradscope-manifest/1", "files": [...] }`), rewritten atomically
 *   (temporary file, then rename). A report or figure is listed before it is written; an event
 *   file is listed once its writer is done (its name carries host, pid and thread, so the files
 *   of a process are known by name even if it was killed).
 * - `.gradscope.lock` while a run writes: `{ pid, host, startedAt, command }`, created with
 *   O_EXCL. A second run into the directory fails while that process lives; a lock whose process
 *   is gone (killed: SIGKILL, SIGINT, a crash) is taken over, and the files that process wrote
 *   are listed in the manifest first, so they are replaced like any of gradscope's.
 *
 * Why a manifest rather than a fresh subfolder per invocation: the report stays at one path
 * (`runs/titanic/report.html`), TensorBoard sees the same run names on every rerun, and a rerun
 * replaces the previous results instead of piling up beside them.
 *
 * A file gradscope would write that exists and is not in the manifest is refused, never
 * overwritten; a file gradscope did not write is never deleted. Event files of another tool in
 * a folder gradscope writes would mix into this run's records, so they are refused too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isEventFileName } from './run-index.js';

export const MANIFEST_NAME = '.gradscope-manifest.json';
export const LOCK_NAME = '.gradscope.lock';
const MANIFEST_FORMAT = 'gradscope-manifest/1';

/** A run directory that cannot be used as asked: the message says why and what to do. */
export class RunDirectoryError extends Error {
  override name = 'RunDirectoryError';
}

/** Virtual file systems: their entries are not files, and recursive mkdir can loop in them. */
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * `dir` as an absolute path, after checking it can hold a run: not empty, not the file-system
 * root, not inside /proc, /sys or /dev (also through a symlink), a directory if it exists, and
 * writable. Reads only; throws RunDirectoryError.
 */
export function checkOutDir(dir: string): string {
  const fail = (why: string) =>
    new RunDirectoryError(`--out must be a directory gradscope can write a run into; ${why}`);
  if (dir.trim() === '') throw fail(`received an empty path (use --out . for this directory)`);
  const resolved = path.resolve(dir);
  const existing = nearestExisting(resolved);
  const real = path.join(fs.realpathSync(existing), path.relative(existing, resolved));
  if (path.parse(real).root === real) throw fail(`received the file-system root: ${dir}`);
  const virtual = VIRTUAL_ROOTS.find((root) => real === root || real.startsWith(`${root}/`));
  if (virtual) throw fail(`received ${dir}, inside the virtual file system ${virtual}`);
  if (existing === resolved && !fs.statSync(resolved).isDirectory())
    throw fail(`received ${dir}, which exists and is not a directory`);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    throw fail(`received ${dir}, but ${existing} is not writable`);
  }
  return resolved;
}

function nearestExisting(resolved: string): string {
  let at = resolved;
  while (!fs.existsSync(at)) at = path.dirname(at);
  return at;
}

/** The content of a lock file. */
interface LockInfo {
  pid: number;
  host: string;
  /** ISO time. */
  startedAt: string;
  command: string;
}

export interface OpenRunDirectoryArgs {
  /** The command line, recorded in the lock for whoever finds it. Defaults to ''. */
  command?: string;
  /** Told when a stale lock is taken over. Defaults to nothing. */
  log?: (line: string) => void;
}

/**
 * The substring by which the event files of one process are known (see event-writer.ts):
 * `.<host>.<pid>.` in `events.out.tfevents.<seconds>.<host>.<pid>.<thread>.<counter>`.
 */
export function eventFileOwnerMark(host: string, pid: number): string {
  return `.${host}.${pid}.`;
}

export class RunDirectory {
  /** Absolute path of the directory. */
  readonly dir: string;
  private readonly files: Set<string>;
  private readonly lockPath: string;
  private readonly lockText: string;
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(dir: string, files: Set<string>, lockText: string) {
    this.dir = dir;
    this.files = files;
    this.lockPath = path.join(dir, LOCK_NAME);
    this.lockText = lockText;
    process.on('exit', this.onExit);
  }

  /**
   * Checks `dir` (see checkOutDir), creates it, takes its lock and reads its manifest. Throws
   * RunDirectoryError when another live run holds the lock.
   */
  static open(dir: string, args: OpenRunDirectoryArgs = {}): RunDirectory {
    const resolved = checkOutDir(dir);
    fs.mkdirSync(resolved, { recursive: true });
    const lock: LockInfo = {
      pid: process.pid,
      host: os.hostname(),
      startedAt: new Date().toISOString(),
      command: args.command ?? '',
    };
    const lockText = `${JSON.stringify(lock)}\n`;
    const files = readManifest(resolved);
    const stale = takeLock(path.join(resolved, LOCK_NAME), lockText);
    const runDir = new RunDirectory(resolved, files, lockText);
    if (stale) {
      const claimed = runDir.claimEventFiles('', stale.host, stale.pid);
      args.log?.(
        `${resolved}: took over the lock of gradscope pid ${stale.pid} (started ${stale.startedAt}), ` +
          `which is no longer running; its ${claimed} event file(s) count as gradscope's.`,
      );
    }
    return runDir;
  }

  /** Whether gradscope wrote `relPath` (relative to the directory). */
  owns(relPath: string): boolean {
    return this.files.has(toKey(relPath));
  }

  /**
   * Throws unless every path in `relPaths` is absent or gradscope's, and no folder in
   * `eventDirs` (and below) holds an event file gradscope did not write. Reads only.
   */
  checkWritable(relPaths: readonly string[], eventDirs: readonly string[] = []): void {
    for (const relPath of relPaths) {
      const full = path.join(this.dir, relPath);
      if (fs.existsSync(full) && !this.owns(relPath)) {
        throw new RunDirectoryError(
          `${full} exists and gradscope did not write it (it is not in ${MANIFEST_NAME}); ` +
            'refusing to overwrite it. Move it away or choose another --out.',
        );
      }
    }
    for (const eventDir of eventDirs) {
      const foreign = walkFiles(this.dir, eventDir).find(
        (rel) => isEventFileName(path.basename(rel)) && !this.owns(rel),
      );
      if (foreign !== undefined) {
        throw new RunDirectoryError(
          `${path.join(this.dir, foreign)} is an event file gradscope did not write; its records ` +
            'would mix into this run. Move it away or choose another --out.',
        );
      }
    }
  }

  /**
   * Deletes the files gradscope wrote below each of `relDirs` (and the ones named in
   * `relPaths`), then the folders that left empty. Nothing else is touched.
   */
  removeOwn(relDirs: readonly string[], relPaths: readonly string[] = []): void {
    const doomed = [...this.files].filter(
      (file) =>
        relPaths.some((p) => toKey(p) === file) ||
        relDirs.some((d) => file.startsWith(`${toKey(d)}/`)),
    );
    for (const file of doomed) {
      fs.rmSync(path.join(this.dir, file), { force: true });
      this.files.delete(file);
      this.removeEmptyParents(file);
    }
    this.saveManifest();
  }

  /** Writes `data` to `relPath`, creating folders; refuses a file gradscope did not write. */
  writeFile(relPath: string, data: string | Uint8Array): void {
    this.writeFiles([{ path: relPath, data }]);
  }

  /** Checks every path first, lists them in the manifest, then writes them. */
  writeFiles(entries: readonly { path: string; data: string | Uint8Array }[]): void {
    this.checkWritable(entries.map((e) => e.path));
    for (const entry of entries) this.files.add(toKey(entry.path));
    this.saveManifest();
    for (const entry of entries) {
      const full = path.join(this.dir, entry.path);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, entry.data);
    }
  }

  /**
   * Lists in the manifest the event files below `relDir` that the process `pid` on `host`
   * wrote (this process by default). Returns how many were new.
   */
  claimEventFiles(relDir = '', host = os.hostname(), pid = process.pid): number {
    const mark = eventFileOwnerMark(host, pid);
    let claimed = 0;
    for (const rel of walkFiles(this.dir, relDir)) {
      const name = path.basename(rel);
      if (isEventFileName(name) && name.includes(mark) && !this.owns(rel)) {
        this.files.add(toKey(rel));
        claimed++;
      }
    }
    if (claimed > 0) this.saveManifest();
    return claimed;
  }

  /** Lists this process's event files in the manifest and removes the lock. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    try {
      this.claimEventFiles();
    } finally {
      // Only our own lock: never one another run took after ours was judged stale.
      if (readText(this.lockPath) === this.lockText) fs.rmSync(this.lockPath, { force: true });
    }
  }

  private removeEmptyParents(file: string): void {
    let dir = path.dirname(path.join(this.dir, file));
    while (dir !== this.dir && dir.startsWith(this.dir)) {
      if (fs.readdirSync(dir).length > 0) return;
      fs.rmdirSync(dir);
      dir = path.dirname(dir);
    }
  }

  private saveManifest(): void {
    const target = path.join(this.dir, MANIFEST_NAME);
    const temporary = `${target}.${process.pid}.tmp`;
    const manifest = { format: MANIFEST_FORMAT, files: [...this.files].sort() };
    fs.writeFileSync(temporary, `${JSON.stringify(manifest, null, 1)}\n`);
    fs.renameSync(temporary, target);
  }
}

/** Manifest paths use '/' whatever the platform. */
function toKey(relPath: string): string {
  return path.normalize(relPath).split(path.sep).join('/');
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readManifest(dir: string): Set<string> {
  const file = path.join(dir, MANIFEST_NAME);
  const text = readText(file);
  if (text === undefined) return new Set();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const files = (parsed as { format?: unknown; files?: unknown } | undefined)?.files;
  const valid =
    (parsed as { format?: unknown } | undefined)?.format === MANIFEST_FORMAT &&
    Array.isArray(files) &&
    files.every(
      (f) => typeof f === 'string' && !path.isAbsolute(f) && !f.split('/').includes('..'),
    );
  if (!valid) {
    throw new RunDirectoryError(
      `${file} must be a gradscope manifest (${MANIFEST_FORMAT}, a list of relative paths). ` +
        'Received something else; move the directory away or choose another --out.',
    );
  }
  return new Set(files as string[]);
}

/** Whether `pid` is a live process (signal 0 probes without sending). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string | undefined): LockInfo | undefined {
  if (text === undefined) return undefined;
  try {
    const lock = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isInteger(lock.pid) && typeof lock.host === 'string') return lock as LockInfo;
  } catch {
    // Fall through: a lock we cannot read is reported as such.
  }
  return undefined;
}

/**
 * Creates the lock with O_EXCL. When one exists: a live holder (or one on another host, which
 * cannot be checked) is refused; a dead holder's lock is taken over and returned.
 */
function takeLock(lockPath: string, lockText: string): LockInfo | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, lockText, { flag: 'wx' });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = readText(lockPath);
    const holder = parseLock(text);
    const dir = path.dirname(lockPath);
    if (text === undefined) continue; // released meanwhile: try again
    if (!holder) {
      throw new RunDirectoryError(
        `${lockPath} exists but is not a gradscope lock; if no run writes to ${dir}, delete it.`,
      );
    }
    const started = `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}`;
    if (holder.host !== os.hostname()) {
      throw new RunDirectoryError(
        `another gradscope run (${started}) holds ${lockPath}; its host cannot be checked from ` +
          `here. Wait for it, choose another --out, or delete the lock if that run is gone.`,
      );
    }
    if (isAlive(holder.pid)) {
      throw new RunDirectoryError(
        `another gradscope run (${started}${holder.command ? `: ${holder.command}` : ''}) is ` +
          `writing to ${dir}. Wait for it to finish or choose another --out.`,
      );
    }
    // Stale. Move it aside atomically; if what moved is not what we judged, it was a fresh lock
    // of a run that won the race, so put it back and let the next attempt refuse.
    const aside = `${lockPath}.stale.${process.pid}`;
    try {
      fs.renameSync(lockPath, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (readText(aside) !== text) {
      fs.renameSync(aside, lockPath);
      continue;
    }
    fs.rmSync(aside, { force: true });
    try {
      fs.writeFileSync(lockPath, lockText, { flag: 'wx' });
      return holder;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new RunDirectoryError(`${lockPath}: could not take the lock; another run keeps taking it.`);
}

/** Total bytes of the regular files below `dir` (0 when missing). */
export function directoryBytes(dir: string): number {
  return walkFiles(dir, '').reduce((sum, rel) => sum + fs.statSync(path.join(dir, rel)).size, 0);
}

/** Paths of the regular files below `relDir` of `root`, relative to `root`. Missing: none. */
function walkFiles(root: string, relDir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const child = rel === '' ? entry.name : path.join(rel, entry.name);
      if (entry.isDirectory()) visit(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  visit(relDir);
  return out;
}
