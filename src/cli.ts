#!/usr/bin/env node
/** Entry point of the `gradscope` command: runs the CLI and turns errors into exit codes. */
import { UsageError } from './experiments/flags.js';
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      process.stderr.write(`gradscope: ${message}\nRun 'gradscope --help' for usage.\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`gradscope: ${message}\n`);
      if (process.env.GRADSCOPE_DEBUG && error instanceof Error)
        process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  },
);
