/**
 * Different vocabularies: a derived model whose token ids are reordered and extended (as when a
 * tokenizer is retrained or merged) is still recognised through shared token strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareFingerprints,
  extractFingerprint,
  loadMemoryModel,
  writeMemoryModel,
  type MemoryModel,
} from '../../src/forensics/index.js';
import { byteToken } from '../../src/model/index.js';
import { tempDir } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');

function reorderVocab(m: MemoryModel, extra: number): { model: MemoryModel; tokens: string[] } {
  const V = m.config.vocab;
  const order = Array.from({ length: V }, (_, i) => (i * 97) % V); // new id j holds old token order[j]
  const tokens = order.map((old) => byteToken(old));
  for (let i = 0; i < extra; i++) tokens.push(`<extra_${i}>`);
  const tensors = new Map(m.tensors);
  for (const name of ['model.embed_tokens.weight', 'lm_head.weight']) {
    const t = m.tensors.get(name);
    if (!t) continue;
    const d = t.shape[1] ?? 0;
    const out = new Float32Array((V + extra) * d);
    order.forEach((old, j) => out.set(t.data.subarray(old * d, (old + 1) * d), j * d));
    for (let i = 0; i < extra * d; i++) out[V * d + i] = Math.sin(i) * 0.05;
    tensors.set(name, { shape: [V + extra, d], data: out });
  }
  return { model: { config: { ...m.config, vocab: V + extra }, tensors, tokens }, tokens };
}

test('a derived model with a reordered, extended vocabulary is still recognised; an independent one is not', async () => {
  const dir = tempDir();
  for (const [name, base] of [
    ['derived', 'x-finetune'],
    ['independent', 'base-y'],
  ] as const) {
    const { model, tokens } = reorderVocab(await loadMemoryModel(join(ZOO, base)), 40);
    const out = join(dir, name);
    writeMemoryModel(model, out);
    writeFileSync(
      join(out, 'tokenizer.json'),
      JSON.stringify({
        model: { type: 'BPE', vocab: Object.fromEntries(tokens.map((t, i) => [t, i])), merges: [] },
      }),
    );
  }
  const A = await extractFingerprint({ model: join(ZOO, 'base-x'), digest: false });
  const derived = compareFingerprints(
    A,
    await extractFingerprint({ model: join(dir, 'derived'), digest: false }),
  );
  assert.equal(derived.verdict, 'derived');
  assert.ok(derived.log10PValue < -20, String(derived.log10PValue));
  const indep = compareFingerprints(
    A,
    await extractFingerprint({ model: join(dir, 'independent'), digest: false }),
  );
  assert.notEqual(indep.verdict, 'derived');
  assert.ok(indep.log10PValue > -3);
});
