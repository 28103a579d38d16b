import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures.js';
import { runCustoms, type CliResult } from '../helpers/cli.js';
import { renderPage } from '../helpers/browser.js';
import { keyFromSecret, keyToJson } from '../../src/watermark/keys.js';

const ROOT = join(import.meta.dirname, '../..');
const ZOO = process.env['CUSTOMS_ZOO'] ?? join(ROOT, '../shared/zoo');

const customs = (args: string[], input?: string): CliResult => runCustoms(args, input);

test('wm-keygen → generate → detect round trip, with exit codes and HTML', async (t) => {
  if (!existsSync(join(ZOO, 'base-x'))) return t.skip('zoo not found');
  const dir = tempDir();
  const key = join(dir, 'k.json');
  const kg = customs(['wm-keygen', '-o', key, '--json']);
  assert.equal(kg.code, 0, kg.stderr);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.equal(customs(['wm-keygen', '-o', key]).code, 2, 'no silent overwrite');
  assert.match((JSON.parse(kg.stdout) as { keyId: string }).keyId, /\S/);
  // The round trip runs on a fixed key, so that the generated tokens and the p-value are the
  // same on every run (with a fresh random key the test's strength bounds hold only most of the
  // time: a tiny model's text can repeat contexts that are then not scored).
  const fixed = keyFromSecret(
    new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff),
    'test',
  );
  writeFileSync(key, JSON.stringify(keyToJson(fixed)), { mode: 0o600 });
  const keyId = fixed.id;
  const gen = customs([
    'generate',
    '--model',
    join(ZOO, 'base-x'),
    '--prompt',
    'The LORD is',
    '--key-file',
    key,
    '--watermark',
    'synthid',
    '--max-tokens',
    '120',
    '--seed',
    '4',
    '--json',
  ]);
  assert.equal(gen.code, 0, gen.stderr);
  const g = JSON.parse(gen.stdout) as {
    tokens: number[];
    text: string;
    watermark: { keyId: string; params: unknown };
  };
  assert.equal(g.tokens.length, 120);
  assert.equal(g.watermark.keyId, keyId);
  writeFileSync(join(dir, 'g.json'), gen.stdout);
  writeFileSync(join(dir, 'params.json'), JSON.stringify(g.watermark.params));
  const html = join(dir, 'd.html');
  const det = customs([
    'detect',
    '--key-file',
    key,
    '--config',
    join(dir, 'params.json'),
    '--input',
    'tokens',
    join(dir, 'g.json'),
    '--json',
    '--html',
    html,
  ]);
  assert.equal(det.code, 1, det.stderr);
  const v = JSON.parse(det.stdout) as {
    verdict: string;
    pValue: number;
    log10PValue: number;
    scoredTokens: number;
    scheme: string;
  };
  assert.equal(v.verdict, 'watermarked');
  assert.equal(v.scheme, 'synthid');
  assert.ok(v.log10PValue < -6 && v.scoredTokens > 100);
  assert.equal(typeof v.pValue, 'number');
  // Plain text on stdin, wrong scheme parameters: nothing found (exit 0).
  const human = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const plain = customs(['detect', '--key-file', key, '--scheme', 'gumbel'], human);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /no watermark detected/);
  const empty = customs(['detect', '--key-file', key, '--json'], '');
  assert.equal(empty.code, 0);
  assert.equal((JSON.parse(empty.stdout) as { verdict: string }).verdict, 'insufficient-evidence');
  // The HTML page renders with the verdict, highlighted tokens and the evidence chart.
  const page = await renderPage(html, join(dir, 'd.png'));
  if (page) {
    assert.deepEqual(page.errors, []);
    assert.match(page.text, /WATERMARKED/);
    assert.ok(page.svgCount >= 1);
  }
  const text = readFileSync(html, 'utf8');
  assert.match(text, /class="tok"/);
  assert.ok(!text.includes('<script'), 'self-contained, no scripts');
});

test('bad input exits 2 with a typed error', (t) => {
  if (!existsSync(join(ZOO, 'base-x'))) return t.skip('zoo not found');
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.json'), '{"type":"customs-watermark-key","version":1,"key":"abc"}');
  const r = customs(['detect', '--key-file', join(dir, 'bad.json'), '--json'], 'hello');
  assert.equal(r.code, 2);
  assert.equal((JSON.parse(r.stdout) as { code: string }).code, 'BAD_KEY');
  const key = join(dir, 'k.json');
  assert.equal(customs(['wm-keygen', '-o', key]).code, 0);
  assert.equal(customs(['detect', '--key-file', key, '--scheme', 'md5'], 'x').code, 2);
  assert.equal(
    customs(['detect', '--key-file', key, '--gamma', '7', '--scheme', 'kgw'], 'x').code,
    2,
  );
  assert.equal(customs(['detect'], 'x').code, 2);
  writeFileSync(join(dir, 'tok.json'), '{"model": ');
  const badTok = customs(['detect', '--key-file', key, '--tokenizer', join(dir, 'tok.json')], 'x');
  assert.equal(badTok.code, 2);
  assert.match(badTok.stderr, /BAD_TOKENIZER/);
  const ids = customs(['detect', '--key-file', key, '--input', 'tokens', '--json'], '[1, 2, 999]');
  assert.equal(ids.code, 2);
  assert.equal((JSON.parse(ids.stdout) as { code: string }).code, 'BAD_INPUT');
  assert.equal(
    customs(['generate', '--model', join(ZOO, 'base-x'), '--prompt', 'x', '--watermark', 'kgw'])
      .code,
    2,
  );
  assert.equal(customs(['generate', '--model', join(dir, 'nope'), '--prompt', 'x']).code, 2);
});

test('radioactivity CLI: open mode on the zoo teacher reading watermarked texts is not a finding', (t) => {
  if (!existsSync(join(ZOO, 'base-x'))) return t.skip('zoo not found');
  const dir = tempDir();
  const key = join(dir, 'k.json');
  assert.equal(customs(['wm-keygen', '-o', key]).code, 0);
  const texts: string[] = [];
  for (const [i, p] of ['In the beginning', 'def main():', 'Thou shalt'].entries()) {
    const g = customs([
      'generate',
      '--model',
      join(ZOO, 'base-x'),
      '--prompt',
      p,
      '--key-file',
      key,
      '--max-tokens',
      '200',
      '--seed',
      String(i),
      '--ledger',
      join(dir, 'ledger.txt'),
      '--json',
    ]);
    assert.equal(g.code, 0, g.stderr);
    texts.push(JSON.stringify({ text: p + (JSON.parse(g.stdout) as { text: string }).text }));
  }
  writeFileSync(join(dir, 'audit.jsonl'), `${texts.join('\n')}\n`);
  const r = customs([
    'radioactivity',
    '--key-file',
    key,
    '--suspect',
    join(ZOO, 'base-y'),
    '--prompts',
    join(dir, 'audit.jsonl'),
    '--predictions',
    '2',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as {
    verdict: string;
    mode: string;
    decoys: unknown[];
    key: { scoredTokens: number };
  };
  assert.notEqual(v.verdict, 'radioactive');
  assert.equal(v.mode, 'open');
  assert.equal(v.decoys.length, 8);
  assert.ok(v.key.scoredTokens > 50);
  const withLedger = customs([
    'radioactivity',
    '--key-file',
    key,
    '--suspect',
    join(ZOO, 'base-y'),
    '--prompts',
    join(dir, 'audit.jsonl'),
    '--ledger',
    join(dir, 'ledger.txt'),
    '--min-scored',
    '5',
  ]);
  assert.equal(withLedger.code, 0, withLedger.stderr);
  assert.match(withLedger.stdout, /filtered/);
  assert.equal(
    customs([
      'radioactivity',
      '--key-file',
      key,
      '--suspect',
      'http://127.0.0.1:9/v1',
      '--mode',
      'open',
      '--prompts',
      join(dir, 'audit.jsonl'),
    ]).code,
    2,
  );
});
