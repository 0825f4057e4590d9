/** `gradscope serve`: the live dashboard over a logdir, until Ctrl-C. */
import { resolve } from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORT, isLoopback } from '../dashboard/address.js';
import type { FlagSpec } from '../experiments/flags.js';
import { numberFlag, stringFlag, UsageError } from '../experiments/flags.js';
import { formatFlags, parseFlags } from './args.js';
import { commandFlags } from './command-flags.js';

export const SERVE_COMMAND = 'serve';
export const SERVE_SUMMARY = 'a live dashboard of gradient flow, scalars, histograms and verdicts';

const FLAGS: readonly FlagSpec[] = [
  {
    name: 'logdir',
    kind: 'string',
    default: 'runs',
    description: 'directory of runs (ours or any TensorBoard writer’s)',
  },
  {
    name: 'port',
    kind: 'integer',
    default: DEFAULT_PORT,
    description: 'TCP port (0: any free port)',
  },
  {
    name: 'host',
    kind: 'string',
    default: DEFAULT_HOST,
    description: 'address to bind; anything but loopback is reachable from other machines',
  },
  { name: 'help', kind: 'boolean', default: false, description: 'show this help' },
];

export async function serveCommand(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (flags.help) {
    console.log(
      [`gradscope ${SERVE_COMMAND} — ${SERVE_SUMMARY}`, '', 'Flags:', formatFlags(FLAGS)].join(
        '\n',
      ),
    );
    return 0;
  }
  const port = numberFlag(flags, 'port', DEFAULT_PORT)!;
  if (port < 0 || port > 65535)
    throw new UsageError(`--port must be in [0, 65535]. Received: ${port}`);
  const host = stringFlag(flags, 'host', DEFAULT_HOST)!;
  const logdir = resolve(stringFlag(flags, 'logdir', 'runs')!);
  if (!isLoopback(host)) {
    process.stderr.write(
      `gradscope serve: warning: binding to ${host} lets other machines read every run under ${logdir}.\n`,
    );
  }
  // Loaded only here: the server (fastify) is memory that training commands do not need.
  const { startDashboard } = await import('../dashboard/server.js');
  const { diagnoseRun } = await import('../diagnose/diagnose.js');
  const flagsOfCommands = commandFlags();
  const dashboard = await startDashboard({
    logdir,
    port,
    host,
    diagnose: (provider, run) => diagnoseRun(provider, run, { commandFlags: flagsOfCommands }),
  });
  process.stderr.write(`gradscope serve: ${logdir}\n`);
  console.log(`Dashboard: ${dashboard.url}  (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void dashboard.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
