/**
 * Null-case checks (a false positive is the worst bug): independently initialised random models
 * with identical shapes must not be called derived, and the exact tests' p-values must not be
 * small more often than their level allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  compareFingerprints,
  extractFingerprint,
  identityUnitTest,
  identityEmbeddingTest,
} from '../../src/forensics/index.js';
import { TINY, tempDir, writeHfModel } from '../helpers/fixtures.js';
import { hfTensors } from '../helpers/fixtures.js';
import { encodeFloats, encodeSafetensors } from '../../src/formats/index.js';
import { writeFileSync, mkdirSync } from 'node:fs';

/** Write a tiny llama with weights from a given seed (independent initialisations). */
function randomModel(dir: string, seed: number): string {
  writeHfModel(dir, 'llama', { ...TINY, hidden: 64, ffn: 128, vocab: 128 });
  const tensors = hfTensors('llama', { ...TINY, hidden: 64, ffn: 128, vocab: 128 }).map((t) => {
    const v = new Float32Array(t.values.length);
    let s = seed * 7919 + t.name.length;
    for (let i = 0; i < v.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      v[i] = t.shape.length === 1 ? 1 : ((s / 2 ** 32) * 2 - 1) * 0.1;
    }
    return { name: t.name, dtype: 'F32' as const, shape: t.shape, data: encodeFloats('F32', v) };
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(tensors));
  return dir;
}

test('independent random models: no derived verdicts, exact p-values not too small', async () => {
  const base = tempDir();
  const fps = [];
  for (let s = 1; s <= 8; s++)
    fps.push(
      await extractFingerprint({ model: randomModel(join(base, String(s)), s), digest: false }),
    );
  let pairs = 0;
  let small = 0;
  for (let i = 0; i < fps.length; i++)
    for (let j = i + 1; j < fps.length; j++) {
      const A = fps[i];
      const B = fps[j];
      if (!A || !B) continue;
      const v = compareFingerprints(A, B);
      assert.notEqual(v.verdict, 'derived');
      assert.ok(v.log10PValue > -3, `pair ${i},${j}: ${v.log10PValue}`);
      for (let l = 0; l < A.layers.length; l++) {
        const r = identityUnitTest(A.layers[l] as never, B.layers[l] as never);
        if (r) {
          pairs++;
          if (r.pValue.log10 < -1) small++;
        }
      }
      const e = identityEmbeddingTest(A, B);
      if (e) assert.ok(e.pValue.log10 > -3);
    }
  // P(p < 0.1) ≤ 0.1 under H0; allow sampling slack on 56 tests
  assert.ok(small <= Math.ceil(0.1 * pairs) + 3, `${small} of ${pairs} exact p-values below 0.1`);
});
