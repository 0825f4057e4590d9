/**
 * The labelled zoo (src/diagnose/zoo): trains every run, diagnoses it, and prints recall per
 * check and the false alarms on healthy runs. With --out DIR the runs are also written there
 * as TensorBoard event files (one folder per run), for `gradscope diagnose DIR` or TensorBoard.
 *
 * Run alone: node dist/bench/diagnose-zoo.js [--json] [--out DIR] [--verbose]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateZoo, type ZooScore } from '../src/diagnose/zoo/evaluate.js';
import { ZOO } from '../src/diagnose/zoo/specs.js';
import { RunWriter } from '../src/log/run-writer.js';

export async function benchZoo(out?: string): Promise<ZooScore & { seconds: number }> {
  const started = performance.now();
  const score = await evaluateZoo(
    ZOO,
    out === undefined ? undefined : (spec) => new RunWriter(path.join(out, spec.name)),
  );
  return { ...score, seconds: (performance.now() - started) / 1000 };
}

export function printZoo(
  score: ZooScore & { seconds: number },
  verbose = false,
  title = 'Diagnose zoo',
  timed = 'trained and diagnosed',
): void {
  console.log(
    `\n${title}: ${score.runs.length} runs (${score.healthyRuns} healthy), ${timed} in ${score.seconds.toFixed(1)} s`,
  );
  console.log('| check | recall |');
  console.log('|---|---:|');
  for (const [check, { found, labelled }] of Object.entries(score.recall))
    console.log(`| ${check} | ${found}/${labelled} |`);
  console.log(`False alarms (error or warning verdicts on healthy runs): ${score.falseAlarms}`);
  for (const run of score.runs) {
    const problems = [
      ...run.missed.map((m) => `missed ${m}`),
      ...run.falseAlarms.map((f) => `false alarm ${f}`),
    ];
    if (verbose || problems.length > 0) {
      console.log(
        `  ${run.name}: fired [${run.fired.join(', ')}]${problems.length ? `; ${problems.join(', ')}` : ''}`,
      );
      if (verbose)
        for (const v of run.diagnosis.verdicts)
          console.log(`      ${v.check} ${v.severity} ${v.layer ?? ''}: ${v.message}`);
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const score = await benchZoo(outAt >= 0 ? args[outAt + 1] : undefined);
  if (args.includes('--json')) {
    const { runs, ...rest } = score;
    process.stdout.write(
      `${JSON.stringify({ ...rest, runs: runs.map(({ diagnosis: _d, ...r }) => r) })}\n`,
    );
  } else printZoo(score, args.includes('--verbose'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
