import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import {
  compareFingerprints,
  extractFingerprint,
  fingerprintFromJson,
  fingerprintToJson,
  loadFingerprint,
  rankCandidates,
  saveFingerprint,
  type Fingerprint,
} from '../../src/forensics/index.js';
import { FormatError } from '../../src/errors.js';
import { tempDir } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');
const cache = new Map<string, Promise<Fingerprint>>();
function fp(name: string): Promise<Fingerprint> {
  let p = cache.get(name);
  if (!p) {
    p = extractFingerprint({ model: join(ZOO, name), digest: false });
    cache.set(name, p);
  }
  return p;
}

test('derived zoo pairs are detected with tiny p-values and the right transformations', async () => {
  const cases: [string, string, string[]][] = [
    ['base-x', 'x-finetune', ['weights-changed']],
    ['base-x', 'x-finetune-obfuscated', ['residual-permutation', 'unit-permutation']],
    ['base-x', 'x-continued', ['weights-changed']],
    ['base-x', 'x-pruned', ['width-pruning']],
    ['base-x', 'x-layerdrop', ['layer-removal']],
    ['x-finetune', 'x-finetune-q8_0.gguf', ['quantization', 'quantized-copy']],
    ['base-y', 'base-y-q4_0.gguf', ['quantization', 'quantized-copy']],
  ];
  for (const [a, b, kinds] of cases) {
    const v = compareFingerprints(await fp(a), await fp(b));
    assert.equal(v.verdict, 'derived', `${a} vs ${b}`);
    assert.ok(v.log10PValue < -6, `${a} vs ${b}: log10 p ${v.log10PValue}`);
    for (const k of kinds)
      assert.ok(
        v.transformations.some((t) => t.kind === k),
        `${a} vs ${b}: expected ${k}, got ${v.transformations.map((t) => t.kind).join(',')}`,
      );
  }
});

test('independent zoo pairs, including the distilled student, are not called derived', async () => {
  const cases: [string, string][] = [
    ['base-x', 'base-y'],
    ['base-x', 'base-z'],
    ['base-y', 'base-z'],
    ['base-x', 'x-distilled'],
    ['base-x', 'y-finetune'],
    ['x-finetune-obfuscated', 'base-y-q4_0.gguf'],
  ];
  for (const [a, b] of cases) {
    const v = compareFingerprints(await fp(a), await fp(b));
    assert.notEqual(v.verdict, 'derived', `${a} vs ${b}`);
    assert.ok(v.log10PValue > -3, `${a} vs ${b}: log10 p ${v.log10PValue}`);
    assert.equal(v.transformations.length, 0);
    assert.ok(v.notes.some((n) => /Distillation through outputs/.test(n)));
  }
});

test('fingerprints round-trip through JSON and malformed files are typed errors', async () => {
  const a = await fp('x-pruned');
  const dir = tempDir();
  const file = join(dir, 'a.json');
  const size = await saveFingerprint(a, file);
  assert.ok(size > 0);
  const back = await loadFingerprint(file);
  assert.equal(back.layers.length, a.layers.length);
  assert.equal(back.pool.tokens.length, a.pool.tokens.length);
  const v1 = compareFingerprints(await fp('base-x'), a);
  const v2 = compareFingerprints(await fp('base-x'), back);
  assert.equal(v1.verdict, v2.verdict);
  assert.ok(
    Math.abs(v1.log10PValue - v2.log10PValue) < 1,
    'half precision storage must not change the evidence',
  );
  const json = JSON.parse(fingerprintToJson(a)) as Record<string, unknown>;
  const bad = (mutate: (o: Record<string, unknown>) => void): string => {
    const c = structuredClone(json);
    mutate(c);
    return JSON.stringify(c);
  };
  const codeOf = (text: string): string => {
    try {
      fingerprintFromJson(text, 'x.json');
    } catch (e) {
      assert.ok(e instanceof FormatError, String(e));
      return e.code;
    }
    return 'none';
  };
  assert.equal(codeOf('{'), 'BAD_JSON');
  assert.equal(codeOf(bad((o) => (o['format'] = 'other'))), 'BAD_JSON');
  assert.equal(codeOf(bad((o) => (o['layers'] = []))), 'BAD_JSON');
  assert.equal(
    codeOf(
      bad((o) => {
        const l = (o['layers'] as Record<string, unknown>[])[0] as Record<
          string,
          Record<string, unknown>
        >;
        (l['mlp'] as Record<string, unknown>)['gate'] = { rows: 3, cols: 3, f16: 'AAAA' };
      }),
    ),
    'BAD_JSON',
  );
  writeFileSync(join(dir, 'bin.json'), Buffer.from([0xff, 0xfe, 0x00]));
  await assert.rejects(
    loadFingerprint(join(dir, 'bin.json')),
    (e: unknown) => e instanceof FormatError && e.code === 'BAD_UTF8',
  );
  await assert.rejects(
    loadFingerprint(join(dir, 'missing.json')),
    (e: unknown) => e instanceof FormatError && e.code === 'MISSING_FILE',
  );
});

test('candidate ranking puts real parents first and explains a merge', async () => {
  const res = await rankCandidates({
    suspect: await fp('x-merge'),
    candidates: ['x-finetune', 'x-continued', 'base-y', 'base-z'].map((n) => join(ZOO, n)),
    digest: false,
  });
  const top = res.ranking.slice(0, 2).map((r) => r.candidate.split('/').pop());
  assert.deepEqual(new Set(top), new Set(['x-finetune', 'x-continued']));
  assert.ok(res.ranking.slice(2).every((r) => r.verdict.verdict !== 'derived'));
  assert.ok(res.merge, 'merge expected');
  assert.ok(res.merge.weight > 0.3 && res.merge.weight < 0.7, `merge weight ${res.merge.weight}`);
});
