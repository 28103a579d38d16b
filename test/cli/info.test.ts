import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures.js';
import { runCustoms, type CliResult } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const ZOO = join(ROOT, '../shared/zoo');

const customs = (...args: string[]): CliResult => runCustoms(args);

test('customs info prints a table and JSON for zoo models', () => {
  const t = customs('info', join(ZOO, 'x-continued'));
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /family\s+llama/);
  assert.match(t.stdout, /heads \/ kv heads\s+4 \/ 2/);
  const j = customs('info', join(ZOO, 'base-y-q4_0.gguf'), '--json', '--digest');
  assert.equal(j.code, 0, j.stderr);
  const info = JSON.parse(j.stdout) as {
    family: string;
    parameters: number;
    dtypes: Record<string, number>;
    files: { sha256: string }[];
    layers: number;
    vocabSize: number;
  };
  assert.equal(info.family, 'llama');
  assert.equal(info.layers, 3);
  assert.equal(info.vocabSize, 256);
  assert.equal(info.parameters, 353952);
  assert.ok((info.dtypes['Q4_0'] ?? 0) > 0);
  assert.match(info.files[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
});

test('customs info exits 2 with a typed error on bad input', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.gguf');
  writeFileSync(bad, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4, 9), Buffer.alloc(20)]));
  const r = customs('info', bad, '--json');
  assert.equal(r.code, 2);
  const err = JSON.parse(r.stdout) as { code: string; where: { file: string } };
  assert.equal(err.code, 'BAD_VERSION');
  assert.equal(err.where.file, bad);
  assert.match(r.stderr, /BAD_VERSION/);
  const missing = customs('info', join(dir, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /NOT_FOUND/);
  assert.equal(customs('info').code, 2);
  assert.equal(customs('--help').code, 0);
});
