import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  createDistribution,
  createRng,
  EngineError,
  loadLocalModel,
  sampleFrom,
  toDistribution,
  type TokenChooser,
} from '../../src/engine/index.js';
import { chiSquareSf } from '../../src/stats/index.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');

test('xoshiro128** with SplitMix64 seeding is reproducible, seed-sensitive and uniform', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xs = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(
    xs,
    Array.from({ length: 8 }, () => b.nextU32()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 8 }, () => c.nextU32()),
  );
  assert.deepEqual(
    Array.from({ length: 4 }, () => createRng(7n).nextU32()),
    Array.from({ length: 4 }, () => createRng(7).nextU32()),
  );
  // 16 equiprobable bins over 64k draws: χ² goodness of fit at a fixed seed.
  const r = createRng(1);
  const bins = new Array<number>(16).fill(0);
  const N = 65536;
  for (let i = 0; i < N; i++) {
    const u = r.nextFloat();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 16)] = (bins[Math.floor(u * 16)] ?? 0) + 1;
  }
  const chi = bins.reduce((s, o) => s + (o - N / 16) ** 2 / (N / 16), 0);
  assert.ok(chiSquareSf(chi, 15).log10 > -4, `chi2 ${chi}`);
  assert.throws(
    () => createRng(0.5),
    (e: unknown) => e instanceof EngineError,
  );
});

test('top-k, top-p and temperature follow the Hugging Face definitions', () => {
  const logits = Float32Array.from([0, 1, 2, 3, 4, -1, 0.5]);
  const d = createDistribution(logits.length);
  const scratch = new Int32Array(logits.length);
  toDistribution(logits, { topK: 3 }, d, scratch);
  assert.equal(d.size, 3);
  assert.deepEqual(Array.from(d.ids.subarray(0, 3)), [4, 3, 2]);
  const z = Math.exp(4) + Math.exp(3) + Math.exp(2);
  assert.ok(Math.abs((d.probs[0] ?? 0) - Math.exp(4) / z) < 1e-12);
  // top-p: smallest prefix whose mass reaches p.
  const full = Array.from(logits, (l) => Math.exp(l));
  const tot = full.reduce((a, b) => a + b, 0);
  const sorted = [...full].sort((a, b) => b - a).map((v) => v / tot);
  toDistribution(logits, { topP: 0.9 }, d, scratch);
  let cum = 0;
  let want = 0;
  for (const p of sorted) {
    cum += p;
    want++;
    if (cum >= 0.9) break;
  }
  assert.equal(d.size, want);
  assert.ok(
    Math.abs(Array.from(d.probs.subarray(0, d.size)).reduce((a, b) => a + b, 0) - 1) < 1e-12,
  );
  // temperature 0 is greedy
  toDistribution(logits, { temperature: 0 }, d, scratch);
  assert.equal(d.size, 1);
  assert.equal(d.ids[0], 4);
  assert.equal(d.greedy, true);
  // temperature 2 flattens
  toDistribution(logits, { temperature: 2 }, d, scratch);
  assert.ok(Math.abs((d.probs[4] ?? 0) / (d.probs[3] ?? 1) - Math.exp(0.5)) < 1e-9);
  // vocabLimit excludes padded logits
  toDistribution(logits, {}, d, scratch, 4);
  assert.equal(d.size, 4);
});

test('property: distributions are normalised and top-k/top-p sets are the most likely tokens', () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 0, max: 70 }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      (ls, k, p) => {
        const logits = Float32Array.from(ls);
        const d = createDistribution(logits.length);
        toDistribution(logits, { topK: k, topP: p }, d, new Int32Array(logits.length));
        const sum = Array.from(d.probs.subarray(0, d.size)).reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > 1e-9) return false;
        if (k > 0 && d.size > k) return false;
        // every kept logit ≥ every dropped logit
        const kept = new Set(Array.from(d.ids.subarray(0, d.size)));
        let minKept = Infinity;
        let maxDropped = -Infinity;
        logits.forEach((l, i) => {
          if (kept.has(i)) minKept = Math.min(minKept, l);
          else maxDropped = Math.max(maxDropped, l);
        });
        return minKept >= maxDropped;
      },
    ),
  );
});

test('sampling frequencies match the distribution (χ² at a fixed seed)', () => {
  const logits = Float32Array.from([1, 0.2, 2, -0.5, 1.5]);
  const d = createDistribution(5);
  toDistribution(logits, { temperature: 0.8 }, d, new Int32Array(5));
  const rng = createRng(99);
  const N = 50000;
  const counts = new Array<number>(5).fill(0);
  for (let i = 0; i < N; i++) {
    const t = sampleFrom(d, rng);
    counts[t] = (counts[t] ?? 0) + 1;
  }
  let chi = 0;
  for (let i = 0; i < d.size; i++) {
    const e = N * (d.probs[i] ?? 0);
    chi += ((counts[d.ids[i] ?? 0] ?? 0) - e) ** 2 / e;
  }
  assert.ok(chiSquareSf(chi, 4).log10 > -4, `chi2 ${chi}`);
});

test('generation is seed-reproducible, honours maxNewTokens, slides past the context and calls the chooser', async (t) => {
  const file = join(ZOO, 'base-x');
  if (!existsSync(file)) return t.skip(`zoo not found at ${ZOO}`);
  const m = await loadLocalModel({ model: file });
  const a = m.generate({ prompt: 'Thou shalt', maxNewTokens: 40, seed: 5, logprobs: true });
  const b = m.generate({ prompt: 'Thou shalt', maxNewTokens: 40, seed: 5 });
  const c = m.generate({ prompt: 'Thou shalt', maxNewTokens: 40, seed: 6 });
  assert.equal(a.tokens.length, 40);
  assert.deepEqual(a.tokens, b.tokens);
  assert.notDeepEqual(a.tokens, c.tokens);
  assert.equal(a.logprobs?.length, 40);
  // logprobs are the teacher-forced scores of the same tokens
  const sc = m.score({ tokens: [...a.promptTokens, ...a.tokens], from: a.promptTokens.length });
  for (let i = 0; i < 40; i++)
    assert.ok(Math.abs((sc.logprobs[i] ?? 0) - (a.logprobs?.[i] ?? 0)) < 1e-9);
  // past the 128-token context
  const long = m.generate({ prompt: 'x', maxNewTokens: 300, seed: 1 });
  assert.equal(long.tokens.length, 300);
  assert.ok(long.contextSlides > 0);
  // a chooser replaces sampling and sees prompt + generated tokens
  const seen: number[] = [];
  const chooser: TokenChooser = {
    choose(dist, ctx) {
      seen.push(ctx.tokens.length);
      return dist.ids[0] ?? 0;
    },
  };
  const g = m.generate({ prompt: 'ab', maxNewTokens: 5, chooser, sampling: { topK: 1 } });
  assert.deepEqual(seen, [2, 3, 4, 5, 6]);
  const greedy = m.generate({ prompt: 'ab', maxNewTokens: 5, sampling: { temperature: 0 } });
  assert.deepEqual(g.tokens, greedy.tokens);
  assert.throws(
    () => m.generate({ prompt: '', maxNewTokens: 5 }),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_OPTIONS',
  );
  assert.throws(
    () => m.generate({ prompt: 'a', maxNewTokens: -1 }),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_OPTIONS',
  );
  assert.throws(
    () => m.generate({ prompt: 'a', maxNewTokens: 1, sampling: { topP: 0 } }),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_OPTIONS',
  );
  assert.throws(
    () => m.generate({ prompt: [300], maxNewTokens: 1 }),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_TOKEN',
  );
});
