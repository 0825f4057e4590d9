import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeEventFiles } from '../../src/log/clean.js';
import { RunWriter } from '../../src/log/run-writer.js';

test('removeEventFiles deletes event files and emptied folders, and nothing else', async () => {
  const root = mkdtempSync(join(tmpdir(), 'clean-'));
  const run = join(root, 'titanic');
  for (const dir of ['sigmoid', 'relu']) {
    const writer = new RunWriter(join(run, dir));
    writer.scalar('loss', 1, 0);
    writer.close();
  }
  mkdirSync(join(run, 'notes'));
  writeFileSync(join(run, 'notes', 'mine.txt'), 'keep me');
  writeFileSync(join(run, 'relu', 'also-mine.csv'), 'keep me too');
  await removeEventFiles(run);
  assert.equal(existsSync(join(run, 'sigmoid')), false);
  assert.equal(existsSync(join(run, 'relu', 'also-mine.csv')), true);
  assert.equal(existsSync(join(run, 'notes', 'mine.txt')), true);
  await removeEventFiles(join(root, 'missing'));
});
