/**
 * Test entry point (`npm test`): runs every `test/**\/*.test.ts` with node's test runner through
 * tsx. Node 20's `--test` does not expand globs, so the files are listed here.
 * Usage: `npm test [-- <substring filter>...]`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function walk(dir: string, found: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, found);
    else if (name.endsWith('.test.ts')) found.push(p);
  }
}

const root = join(import.meta.dirname, '..');
const files: string[] = [];
walk(join(root, 'test'), files);
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(2);
}
const concurrency = process.env['TEST_CONCURRENCY'] ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...selected],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
