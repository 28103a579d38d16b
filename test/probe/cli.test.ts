/**
 * `customs probe`, `probe-commit`, `probe-plan`, `probe-audit` through the real CLI entry point:
 * exit codes (0 no finding, 1 derived, 2 input error), JSON shape, commitment checking and the
 * HTML report rendered in a real browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { renderPage } from '../helpers/browser.js';
import { DEFAULT_SPEC, batteryCommitment } from '../../src/probe/index.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const haveZoo = existsSync(join(ZOO, 'base-x'));
const dir = mkdtempSync(join(tmpdir(), 'probe-cli-'));

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

/**
 * Run the CLI in a child process (the test runner itself talks over this process's stdout, so
 * stdout is not ours to swap) and capture stdout and the exit code.
 */
function cli(argv: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...argv],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? 99 : 0;
        resolve({ code, stdout });
      },
    );
  });
}

test('probe-commit then probe with the published commitment; a wrong one is exit 2', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const seedFile = join(dir, 'seed.txt');
  const c = await cli(['probe-commit', '--seed-file', seedFile, '--json']);
  assert.equal(c.code, 0);
  const { commitment } = JSON.parse(c.stdout) as { commitment: string };
  assert.match(commitment, /^[0-9a-f]{64}$/);
  // the commitment is the library's commitment to the seed written, and the file is not overwritten
  const written = readFileSync(seedFile, 'utf8').trim();
  assert.equal(commitment, batteryCommitment(written, { ...DEFAULT_SPEC, canaryDigest: null }));
  assert.equal((await cli(['probe-commit', '--seed-file', seedFile])).code, 2);
  // The probe below runs on a fixed seed, committed the same way: a fresh random battery of 200
  // queries lands near the 10^-3 line often enough to make the verdict a coin toss in CI.
  const fixedSeed = 'c0ffee'.padEnd(64, '0');
  const fixedSeedFile = join(dir, 'fixed-seed.txt');
  writeFileSync(fixedSeedFile, `${fixedSeed}\n`);
  const fixedCommitment = batteryCommitment(fixedSeed, { ...DEFAULT_SPEC, canaryDigest: null });
  const cache = join(dir, 'cli.sqlite');
  const html = join(dir, 'report.html');
  const args = [
    'probe',
    '--suspect',
    join(ZOO, 'x-distilled'),
    '--teacher',
    join(ZOO, 'base-x'),
    '--control',
    join(ZOO, 'base-y'),
    '--control',
    join(ZOO, 'base-z'),
    '--budget',
    '200',
    '--families',
    'short,logprob',
    '--seed-file',
    fixedSeedFile,
    '--cache',
    cache,
  ];
  const r = await cli([...args, '--commitment', fixedCommitment, '--json', '--html', html]);
  assert.equal(r.code, 1, r.stdout.slice(0, 400));
  const v = JSON.parse(r.stdout) as {
    verdict: string;
    pValue: number;
    log10PValue: number;
    queries: number;
    battery: { commitment: string; commitmentVerified: boolean };
  };
  assert.equal(v.verdict, 'derived-behaviour');
  assert.ok(v.log10PValue <= -3 && v.queries <= 200 && typeof v.pValue === 'number');
  assert.equal(v.battery.commitment, fixedCommitment);
  assert.equal(v.battery.commitmentVerified, true);
  const wrong = await cli([...args, '--commitment', 'f'.repeat(64), '--json']);
  assert.equal(wrong.code, 2);
  assert.equal((JSON.parse(wrong.stdout) as { code: string }).code, 'COMMITMENT_MISMATCH');
  // replay from the cache, offline, human output
  const replay = await cli([...args, '--replay']);
  assert.equal(replay.code, 1);
  assert.match(replay.stdout, /verdict {2}derived-behaviour/);
  // the audit finds every row intact
  const audit = await cli(['probe-audit', '--cache', cache, '--json']);
  assert.equal(audit.code, 0);
  assert.deepEqual((JSON.parse(audit.stdout) as { corrupt: unknown[] }).corrupt, []);
  // the HTML report renders with its charts and no script errors
  const page = readFileSync(html, 'utf8');
  assert.match(page, /derived-behaviour/);
  const shot = await renderPage(html, join(dir, 'report.png'));
  if (!shot) return t.skip('chromium not installed');
  assert.deepEqual(shot.errors, []);
  assert.ok(shot.svgCount >= 2, `svgs ${shot.svgCount}`);
  assert.match(shot.text, /Black-box provenance probe/);
});

test('input errors exit 2 with a typed JSON error; no finding exits 0', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const bad = await cli([
    'probe',
    '--suspect',
    'https://user:pw@example.com/v1',
    '--teacher',
    join(ZOO, 'base-x'),
    '--control',
    join(ZOO, 'base-y'),
    '--json',
  ]);
  assert.equal(bad.code, 2);
  assert.equal((JSON.parse(bad.stdout) as { code: string }).code, 'BAD_TARGET');
  assert.equal(
    (await cli(['probe', '--suspect', 'a', '--teacher', 'b', '--budget', 'lots'])).code,
    2,
  );
  assert.equal(
    (
      await cli([
        'probe',
        '--suspect',
        'a',
        '--teacher',
        'b',
        '--control',
        'c',
        '--families',
        'nope',
      ])
    ).code,
    2,
  );
  const missing = join(dir, 'missing-canaries.jsonl');
  assert.equal(
    (
      await cli([
        'probe',
        '--suspect',
        join(ZOO, 'base-z'),
        '--teacher',
        join(ZOO, 'base-x'),
        '--control',
        join(ZOO, 'base-y'),
        '--canaries',
        missing,
      ])
    ).code,
    2,
  );
  const canaries = join(dir, 'canaries.jsonl');
  writeFileSync(canaries, '{"prompt":"x"}\n');
  assert.equal(
    (await cli(['probe-commit', '--seed-file', join(dir, 's2'), '--canaries', canaries])).code,
    2,
  );
  // a suspect from another lineage (its parent is a control): no finding, exit 0
  const ok = await cli([
    'probe',
    '--suspect',
    join(ZOO, 'y-finetune'),
    '--teacher',
    join(ZOO, 'base-x'),
    '--control',
    join(ZOO, 'base-y'),
    '--control',
    join(ZOO, 'base-z'),
    '--budget',
    '120',
    '--families',
    'short',
    '--json',
  ]);
  assert.equal(ok.code, 0);
  assert.notEqual((JSON.parse(ok.stdout) as { verdict: string }).verdict, 'derived-behaviour');
});

test('probe-plan answers for each kind of effect and refuses half-given ones', async () => {
  const m = await cli(['probe-plan', '--discordance', '0.3', '--win', '0.7', '--json']);
  assert.equal(m.code, 0);
  const plan = JSON.parse(m.stdout) as { prompts: number; method: string };
  assert.equal(plan.method, 'mcnemar-exact');
  assert.ok(plan.prompts > 50 && plan.prompts < 2000);
  const a = await cli(['probe-plan', '--p0', '0.3', '--p1', '0.4', '--alpha', '0.05']);
  assert.match(a.stdout, /^19[01] prompts/);
  assert.equal((await cli(['probe-plan', '--effect', '0.05', '--sd', '0.2'])).code, 0);
  assert.equal((await cli(['probe-plan', '--win', '0.7'])).code, 2);
  assert.equal((await cli(['probe-plan'])).code, 2);
});
