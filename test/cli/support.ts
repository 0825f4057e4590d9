/** Running the CLI as a user does: a child process, exit codes, stdout and stderr. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

const ENV = { ...process.env, CI: '1' };

export function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: ENV });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI without waiting; `stderr` collects as it arrives. */
export function start(args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env: ENV });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, stderr: () => stderr };
}

export const tempOut = () => mkdtempSync(join(tmpdir(), 'gradscope-cli-'));

/** Resolves once `check` holds, polling every 20 ms; rejects after `ms`. */
export async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
