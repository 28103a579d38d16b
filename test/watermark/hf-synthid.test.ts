import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRng,
  loadLocalModel,
  sampleFrom,
  type TokenChooser,
} from '../../src/engine/index.js';
import {
  detectHfSynthId,
  hfGValues,
  hfSamplingTable,
  mt19937,
  parseHfSynthIdConfig,
  WatermarkError,
} from '../../src/watermark/index.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
// transformers' documented example keys (public test values, never for deployment)
const CONFIG = parseHfSynthIdConfig({
  ngram_len: 5,
  keys: [
    654, 400, 836, 123, 340, 443, 597, 160, 57, 29, 590, 639, 13, 715, 468, 990, 966, 226, 324, 585,
    118, 504, 421, 521, 129, 669, 732, 225, 90, 960,
  ],
  sampling_table_size: 65536,
  sampling_table_seed: 0,
  context_history_size: 1024,
});

test('MT19937 and the torch.randint sampling table match published values', () => {
  // C++ [rand.predef]: the 10000th output of mt19937 seeded with 5489 is 4123659995;
  // init_genrand(0) outputs (also numpy RandomState(0) raw draws).
  const a = mt19937(5489);
  let x = 0;
  for (let i = 0; i < 10000; i++) x = a();
  assert.equal(x, 4123659995);
  const b = mt19937(0);
  assert.deepEqual(
    [b(), b(), b(), b(), b()],
    [2357136044, 2546248239, 3071714933, 3626093760, 2588848963],
  );
  // torch.manual_seed(0); torch.randint(0, 10, (5,)) == [4, 9, 3, 0, 3] (value = draw mod range)
  const c = mt19937(0);
  assert.deepEqual([c() % 10, c() % 10, c() % 10, c() % 10, c() % 10], [4, 9, 3, 0, 3]);
  assert.deepEqual(Array.from(hfSamplingTable(0, 5)), [0, 1, 1, 0, 1]);
});

test('g-values follow the int64 LCG hash and the context-repetition / EOS masks', () => {
  const table = hfSamplingTable(0, 65536);
  const toks = [10, 20, 30, 40, 50, 60, 10, 20, 30, 40, 99, 7];
  const gv = hfGValues(CONFIG, toks, table, 7);
  assert.equal(gv.count, toks.length - 4);
  // Independent arithmetic: unsigned mod 2^64, then the floor modulo of the signed value.
  const M = 6364136223846793005n;
  const U = (x: bigint): bigint => BigInt.asUintN(64, x);
  let h = 1n;
  for (const d of [10, 20, 30, 40, 50]) h = U(U(U(h + BigInt(d)) * M) + 1n);
  for (const [l, k] of [654, 400, 960].map((k, i) => [i === 2 ? 29 : i, k] as const)) {
    const hk = U(U(U(h + BigInt(k)) * M) + 1n);
    const signed = BigInt.asIntN(64, hk);
    const cell = Number(((signed % 65536n) + 65536n) % 65536n);
    assert.equal(gv.cells[l], cell);
    assert.equal(gv.g[l], table[cell]);
  }
  // n-gram 6 has context [10,20,30,40] again → masked; the last n-gram ends on EOS (7) → masked.
  assert.deepEqual(Array.from(gv.mask), [1, 1, 1, 1, 1, 1, 0, 0]);
  assert.throws(
    () => parseHfSynthIdConfig({ ngram_len: 1, keys: [1] }),
    (e: unknown) => e instanceof WatermarkError,
  );
  assert.throws(
    () => parseHfSynthIdConfig({ ngram_len: 5, keys: [1.5] }),
    (e: unknown) => e instanceof WatermarkError,
  );
  assert.throws(
    () => parseHfSynthIdConfig({ ngram_len: 5, keys: [] }),
    (e: unknown) => e instanceof WatermarkError,
  );
  assert.equal(parseHfSynthIdConfig({ ngram_len: 3, keys: ['18446744073709551615'] }).keys[0], -1n);
});

test('transformers-style SynthID generation on a zoo model is detected; plain text is not', async (t) => {
  if (!existsSync(join(ZOO, 'base-x'))) return t.skip('zoo not found');
  const m = await loadLocalModel({ model: join(ZOO, 'base-x') });
  const table = hfSamplingTable(0, 65536);
  const depth = CONFIG.keys.length;
  const seen = new Set<string>();
  // transformers' update_scores: p ← p·(1 + g − E_p[g]) per layer, repeated contexts unwatermarked
  const chooser: TokenChooser = {
    choose(d, ctx) {
      const c = ctx.tokens.slice(-4);
      const key = c.join(',');
      if (c.length < 4 || seen.has(key)) return sampleFrom(d, ctx.rng);
      seen.add(key);
      const w = Float64Array.from(d.probs.subarray(0, d.size));
      const gs = Array.from(
        { length: d.size },
        (_, i) => hfGValues(CONFIG, [...c, d.ids[i] ?? 0], table).g,
      );
      for (let l = 0; l < depth; l++) {
        let G = 0;
        for (let i = 0; i < d.size; i++) G += (w[i] ?? 0) * (gs[i]?.[l] ?? 0);
        for (let i = 0; i < d.size; i++) w[i] = (w[i] ?? 0) * (1 + (gs[i]?.[l] ?? 0) - G);
      }
      const z = w.reduce((a, b) => a + b, 0);
      let u = ctx.rng.nextFloat() * z;
      for (let i = 0; i < d.size; i++) {
        u -= w[i] ?? 0;
        if (u < 0) return d.ids[i] ?? 0;
      }
      return d.ids[d.size - 1] ?? 0;
    },
  };
  const g = m.generate({
    prompt: 'In the beginning',
    maxNewTokens: 150,
    seed: 2,
    chooser,
    rng: createRng(2),
  });
  const v = detectHfSynthId({ tokens: g.tokens, config: CONFIG });
  assert.equal(v.verdict, 'watermarked', `p=${v.pValue} meanG=${v.meanG}`);
  assert.ok(v.meanG > 0.55);
  assert.ok(v.distinctCells < v.scoredNgrams * depth, 'repeated cells are counted once');
  const plain = m.generate({ prompt: 'In the beginning', maxNewTokens: 150, seed: 2 });
  const v2 = detectHfSynthId({ tokens: plain.tokens, config: CONFIG });
  assert.equal(v2.verdict, 'not-detected');
  // null calibration over random texts
  const rng = createRng(5);
  let low = 0;
  for (let i = 0; i < 200; i++) {
    const toks = Array.from({ length: 60 }, () => rng.nextU32() % 50000);
    if (detectHfSynthId({ tokens: toks, config: CONFIG }).pValue <= 0.05) low++;
  }
  assert.ok(low < 20, `${low}/200 below 0.05`);
});
