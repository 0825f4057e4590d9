/**
 * The CLI: `gradscope <command> [flags]`. Each command's module is imported only when that
 * command runs, so `diagnose` loads the reader and the rules, not the engine, the experiments
 * and the report (measured: about 0.2 s of a fresh process's start-up).
 */
import { packageVersion } from '../package-root.js';

async function usage(): Promise<string> {
  const [{ EXPERIMENTS, SEED_COMMAND }, { DIAGNOSE_SUMMARY }, { SERVE_COMMAND, SERVE_SUMMARY }] =
    await Promise.all([import('./commands.js'), import('./diagnose.js'), import('./serve.js')]);
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length), SEED_COMMAND.length);
  return [
    'gradscope — see the gradient flow through every layer, and fix it',
    '',
    'Usage: gradscope <command> [flags]      (gradscope <command> --help for its flags)',
    '       gradscope --version | -V',
    '',
    'Commands:',
    `  ${SEED_COMMAND.padEnd(width)}  run every experiment below and write one report (npm start)`,
    ...EXPERIMENTS.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`),
    `  ${'diagnose'.padEnd(width)}  ${DIAGNOSE_SUMMARY}`,
    `  ${SERVE_COMMAND.padEnd(width)}  ${SERVE_SUMMARY}`,
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help' || command === '-h') {
    console.log(await usage());
    return 0;
  }
  if (command === '--version' || command === '-V') {
    console.log(packageVersion());
    return 0;
  }
  if (command === 'diagnose') return (await import('./diagnose.js')).diagnoseCommand(rest);
  if (command === 'serve') return (await import('./serve.js')).serveCommand(rest);
  return (await import('./experiment-command.js')).experimentCommand(command, argv);
}
