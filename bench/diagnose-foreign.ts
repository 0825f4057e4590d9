/**
 * Scores `gradscope diagnose` on held-out runs another framework wrote: the directory that
 * bench/pytorch_zoo.py fills with PyTorch runs (SummaryWriter event files) and their labels
 * (labels.json). Prints recall per check and false alarms, as the zoo bench does.
 *
 * Run alone: node dist/bench/diagnose-foreign.js DIR [--verbose]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnoseAll } from '../src/diagnose/diagnose.js';
import { scoreDiagnoses, type ZooScore } from '../src/diagnose/zoo/evaluate.js';
import { DirectoryProvider } from '../src/log/provider.js';
import { printZoo } from './diagnose-zoo.js';

interface Labels {
  torch: string;
  runs: Record<string, { faults: string[]; writer: string }>;
}

export async function scoreForeign(dir: string): Promise<ZooScore & { seconds: number }> {
  const labels = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8')) as Labels;
  const started = performance.now();
  const diagnoses = await diagnoseAll(new DirectoryProvider(dir));
  const seconds = (performance.now() - started) / 1000;
  const labelled = Object.entries(labels.runs).map(([name, { faults }]) => {
    const diagnosis = diagnoses.get(name);
    if (diagnosis === undefined) {
      throw new Error(
        `diagnose-foreign: no run '${name}' under ${dir}. Received runs: ${[...diagnoses.keys()].join(', ')}`,
      );
    }
    return { name, faults, diagnosis };
  });
  return { ...scoreDiagnoses(labelled), seconds };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) {
    console.error('usage: node dist/bench/diagnose-foreign.js DIR [--verbose]');
    process.exit(2);
  }
  printZoo(
    await scoreForeign(dir),
    process.argv.includes('--verbose'),
    'Foreign (PyTorch) runs',
    'diagnosed',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
