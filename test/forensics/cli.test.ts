import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures.js';
import { runCustoms, type CliResult } from '../helpers/cli.js';
import { renderPage } from '../helpers/browser.js';

const ROOT = join(import.meta.dirname, '../..');
const ZOO = join(ROOT, '../shared/zoo');

const customs = (...args: string[]): CliResult => runCustoms(args);

test('customs fingerprint + compare: JSON shape, exit codes, HTML report renders', async (t) => {
  const dir = tempDir();
  const fpA = join(dir, 'a.json');
  const f = customs('fingerprint', join(ZOO, 'base-x'), '-o', fpA, '--json');
  assert.equal(f.code, 0, f.stderr);
  const sum = JSON.parse(f.stdout) as { bytes: number; coverage: string };
  assert.equal(sum.coverage, 'full');
  assert.ok(existsSync(fpA));

  const html = join(dir, 'report.html');
  const d = customs('compare', fpA, join(ZOO, 'x-finetune-obfuscated'), '--json', '--html', html);
  assert.equal(d.code, 1, d.stderr);
  const v = JSON.parse(d.stdout) as {
    verdict: string;
    pValue: number;
    log10PValue: number;
    tests: unknown[];
    transformations: { kind: string }[];
  };
  assert.equal(v.verdict, 'derived');
  assert.ok(v.log10PValue < -6);
  assert.ok(Array.isArray(v.tests) && v.tests.length >= 4);
  assert.ok(v.transformations.some((x) => x.kind === 'residual-permutation'));
  assert.match(readFileSync(html, 'utf8'), /<meta charset="utf-8">/);

  const i = customs('compare', join(ZOO, 'base-x'), join(ZOO, 'x-distilled'), '--no-digest');
  assert.equal(i.code, 0, i.stderr);
  assert.match(i.stdout, /verdict\s+independent/);
  assert.match(i.stdout, /Distillation through outputs/);

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"format":"model-customs/fingerprint","version":9}');
  const e = customs('compare', bad, join(ZOO, 'base-x'), '--json');
  assert.equal(e.code, 2);
  assert.equal((JSON.parse(e.stdout) as { code: string }).code, 'BAD_JSON');
  assert.equal(customs('compare', join(ZOO, 'base-x')).code, 2);

  const shot = await renderPage(html, join(dir, 'report.png'));
  if (!shot) {
    t.skip('chromium is not installed');
    return;
  }
  assert.deepEqual(shot.errors, []);
  assert.ok(shot.svgCount >= 3, `${shot.svgCount} charts rendered`);
  assert.match(shot.text, /derived/);
  assert.match(shot.text, /σ-curves/);
});

test('customs compare --against ranks parents', () => {
  const r = customs('compare', join(ZOO, 'x-layerdrop'), '--against', ZOO, '--json', '--no-digest');
  assert.equal(r.code, 1, r.stderr);
  const res = JSON.parse(r.stdout) as {
    ranking: { candidate: string; verdict: { verdict: string } }[];
  };
  const derived = res.ranking
    .filter((x) => x.verdict.verdict === 'derived')
    .map((x) => x.candidate.split('/').pop());
  assert.ok(derived.includes('base-x'));
  for (const other of ['base-y', 'base-z', 'x-distilled', 'y-finetune', 'base-y-q4_0.gguf'])
    assert.ok(!derived.includes(other), other);
});
