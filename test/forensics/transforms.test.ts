/**
 * The synthetic obfuscations used by the evaluation must really preserve the model's function
 * (checked with the reference engine), and each must still be detected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadLocalModel } from '../../src/engine/index.js';
import {
  compareFingerprints,
  extractFingerprint,
  loadMemoryModel,
  transformModel,
  writeMemoryModel,
  writeMemoryModelGguf,
  type TransformKind,
} from '../../src/forensics/index.js';
import { tempDir } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');
const TEXT = Array.from(
  new TextEncoder().encode('def main():\n    print("In the beginning was the Word")\n'),
);

async function logprobs(dir: string): Promise<Float64Array> {
  const m = await loadLocalModel({ model: dir });
  return m.score({ tokens: TEXT, from: 1 }).logprobs;
}

test('function-preserving obfuscations keep log-probabilities and are detected', async () => {
  const base = join(ZOO, 'base-x');
  const src = await loadMemoryModel(base);
  const ref = await logprobs(base);
  const A = await extractFingerprint({ model: base, digest: false });
  const out = tempDir();
  const kinds: TransformKind[] = [
    'residual-permutation',
    'residual-rotation',
    'unit-permutation',
    'kv-group-permutation',
    'norm-gain-swap',
    'attention-rescaling',
    'mlp-rescaling',
    'obfuscate-all',
  ];
  for (const kind of kinds) {
    const dir = join(out, kind);
    writeMemoryModel(transformModel(src, kind, 3), dir);
    const lp = await logprobs(dir);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((lp[i] ?? 0) - (ref[i] ?? 0)));
    assert.ok(maxDiff < 2e-3, `${kind} changed log-probs by ${maxDiff}`);
    const v = compareFingerprints(A, await extractFingerprint({ model: dir, digest: false }));
    assert.equal(v.verdict, 'derived', kind);
    assert.ok(v.log10PValue < -20, `${kind}: ${v.log10PValue}`);
  }
});

test('lossy derivations and GGUF exports of every supported type are detected', async () => {
  const base = join(ZOO, 'base-y');
  const src = await loadMemoryModel(base);
  const A = await extractFingerprint({ model: base, digest: false });
  const out = tempDir();
  for (const kind of ['prune-mlp-50', 'drop-layer', 'duplicate-layer', 'noise-light'] as const) {
    const dir = join(out, kind);
    writeMemoryModel(transformModel(src, kind, 5), dir);
    const v = compareFingerprints(A, await extractFingerprint({ model: dir, digest: false }));
    assert.equal(v.verdict, 'derived', kind);
  }
  for (const type of ['Q8_0', 'Q5_1', 'Q4_0', 'Q4_K', 'Q2_K']) {
    const file = join(out, `y-${type}.gguf`);
    writeMemoryModelGguf(src, file, type);
    const v = compareFingerprints(A, await extractFingerprint({ model: file, digest: false }));
    assert.equal(v.verdict, 'derived', type);
    assert.ok(
      v.transformations.some((t) => t.kind === 'quantization'),
      type,
    );
  }
});
