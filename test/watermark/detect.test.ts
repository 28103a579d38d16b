import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  byteTokenizer,
  createDistribution,
  createRng,
  loadLocalModel,
  toDistribution,
  type ChooserContext,
  type LocalModel,
} from '../../src/engine/index.js';
import {
  decoyKey,
  detectWatermark,
  keyFromSecret,
  keyedScheme,
  normalizeParams,
  watermarkChooser,
  WatermarkError,
  type SchemeParams,
  type WatermarkKey,
} from '../../src/watermark/index.js';
import { chiSquareSf } from '../../src/stats/index.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const bytes = byteTokenizer();
const SCHEMES: Record<string, unknown>[] = [
  { scheme: 'gumbel' },
  { scheme: 'gumbel', dualKey: true },
  { scheme: 'kgw', seeding: 'lefthash', delta: 3 },
  { scheme: 'kgw', seeding: 'selfhash', delta: 3 },
  { scheme: 'synthid' },
  { scheme: 'synthid', weighted: true },
  { scheme: 'gumbel', prf: 'hmac' },
];

function keyN(i: number): WatermarkKey {
  return keyFromSecret(Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7) & 0xff));
}

let model: LocalModel | null = null;
async function zoo(): Promise<LocalModel | null> {
  if (!existsSync(join(ZOO, 'base-x'))) return null;
  model ??= await loadLocalModel({ model: join(ZOO, 'base-x') });
  return model;
}

test('null calibration: random texts under random keys give uniform p-values for every scheme', () => {
  const rng = createRng(2024);
  for (const raw of SCHEMES) {
    const params = normalizeParams(raw);
    const N = 400;
    let below05 = 0;
    let below01 = 0;
    const ps: number[] = [];
    for (let t = 0; t < N; t++) {
      const len = 20 + (rng.nextU32() % 120);
      const text = Array.from({ length: len }, () => rng.nextU32() % 256);
      const k = keyFromSecret(Uint8Array.from({ length: 32 }, () => rng.nextU32() & 0xff));
      const v = detectWatermark({
        tokens: text,
        tokenizer: bytes,
        keys: [k],
        secondaryKey: keyN(99),
        params,
      });
      ps.push(v.pValue);
      if (v.pValue <= 0.05) below05++;
      if (v.pValue <= 0.01) below01++;
    }
    // Exact or conservative tests: FPR at 5 % must not exceed its nominal rate beyond binomial noise
    // (P[Bin(400, .05) ≥ 35] ≈ 1e-3; P[Bin(400, .01) ≥ 11] ≈ 2e-3).
    assert.ok(below05 < 35, `${JSON.stringify(raw)}: ${below05}/400 p ≤ 0.05`);
    assert.ok(below01 < 11, `${JSON.stringify(raw)}: ${below01}/400 p ≤ 0.01`);
    // exact tests (not the Chernoff bound) must also not be grossly conservative: deciles roughly flat
    if (!(params.scheme === 'synthid' && params.weighted)) {
      const bins = new Array<number>(10).fill(0);
      for (const p of ps)
        bins[Math.min(9, Math.floor(p * 10))] = (bins[Math.min(9, Math.floor(p * 10))] ?? 0) + 1;
      const chi = bins.reduce((s, o) => s + (o - N / 10) ** 2 / (N / 10), 0);
      // discrete KGW p-values pile on a few values: only a loose check there
      const limit = params.scheme === 'kgw' ? -12 : -4;
      assert.ok(
        chiSquareSf(chi, 9).log10 > limit,
        `${JSON.stringify(raw)} deciles ${bins.join(',')}`,
      );
    }
  }
});

test('repeated text: de-duplication keeps a looping text from looking watermarked', () => {
  const text = Array.from(new TextEncoder().encode('the cat sat on the mat. '.repeat(200)));
  for (const raw of SCHEMES) {
    const params = normalizeParams(raw);
    // 64 keys: none may find a watermark in a text that never saw them
    const keys = Array.from({ length: 64 }, (_, i) => keyN(i));
    const v = detectWatermark({
      tokens: text,
      tokenizer: bytes,
      keys,
      secondaryKey: keyN(99),
      params,
      alpha: 1e-3,
    });
    assert.notEqual(v.verdict, 'watermarked', JSON.stringify(raw));
    assert.ok(v.scoredTokens < 40, `${v.scoredTokens} scored of ${text.length}`);
    assert.ok((v.keys[0]?.skipped.duplicate ?? 0) > 4000);
    assert.equal(v.keysTested, 64);
    assert.equal(v.correction, 'holm');
  }
});

test('watermarked zoo generations are detected under the right key only; prompts are never scored', async (t) => {
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  const key = keyN(1);
  const other = keyN(2);
  const second = keyN(3);
  for (const raw of SCHEMES) {
    const params: SchemeParams = normalizeParams(raw);
    const ch = watermarkChooser({ params, key, secondaryKey: second, vocabSize: 256 });
    const g = m.generate({ prompt: 'Blessed are the', maxNewTokens: 160, seed: 7, chooser: ch });
    assert.ok(ch.stats.watermarked > 100, JSON.stringify(ch.stats));
    const v = detectWatermark({
      tokens: g.tokens,
      prompt: g.promptTokens,
      tokenizer: bytes,
      keys: [key],
      secondaryKey: second,
      params,
      detail: true,
    });
    assert.equal(v.verdict, 'watermarked', `${JSON.stringify(raw)} p=${v.pValue}`);
    assert.ok(v.log10PValue < -6);
    assert.equal(v.tokens?.length, g.tokens.length);
    assert.equal(v.keys[0]?.skipped.prompt, 0);
    const wrong = detectWatermark({
      tokens: g.tokens,
      prompt: g.promptTokens,
      tokenizer: bytes,
      keys: [other],
      secondaryKey: second,
      params,
    });
    assert.notEqual(wrong.verdict, 'watermarked', JSON.stringify(raw));
    // Several keys: the right one is found after the Holm correction, decoys stay quiet.
    const multi = detectWatermark({
      tokens: g.tokens,
      prompt: g.promptTokens,
      tokenizer: bytes,
      keys: [decoyKey(key, 1), other, key, decoyKey(key, 2)],
      secondaryKey: second,
      params,
    });
    assert.equal(multi.bestKeyId, key.id);
    assert.equal(multi.verdict, 'watermarked');
    assert.ok(multi.log10PValue >= v.log10PValue);
    // Without the prompt the first h tokens lack a window.
    const noPrompt = detectWatermark({
      tokens: g.tokens,
      tokenizer: bytes,
      keys: [key],
      secondaryKey: second,
      params,
    });
    assert.equal(noPrompt.keys[0]?.skipped['no-context'], params.contextWidth);
    // The prompt itself as text is never scored.
    const whole = detectWatermark({
      tokens: [...g.promptTokens, ...g.tokens],
      prompt: [],
      tokenizer: bytes,
      keys: [key],
      secondaryKey: second,
      params,
    });
    assert.ok(whole.scoredTokens >= v.scoredTokens);
  }
});

test('dual-key Gumbel: key A alone scores only its coin positions; key B is needed for the rest', async (t) => {
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  const params = normalizeParams({ scheme: 'gumbel', dualKey: true, alpha: 0.3 });
  const ch = watermarkChooser({ params, key: keyN(4), secondaryKey: keyN(5), vocabSize: 256 });
  const g = m.generate({ prompt: 'And God said', maxNewTokens: 200, seed: 1, chooser: ch });
  assert.ok(ch.stats.secondaryKeySteps > 20);
  const both = detectWatermark({
    tokens: g.tokens,
    prompt: g.promptTokens,
    tokenizer: bytes,
    keys: [keyN(4)],
    secondaryKey: keyN(5),
    params,
  });
  const onlyA = detectWatermark({
    tokens: g.tokens,
    prompt: g.promptTokens,
    tokenizer: bytes,
    keys: [keyN(4)],
    params,
  });
  assert.ok((onlyA.keys[0]?.skipped.unscorable ?? 0) > 20);
  assert.ok(onlyA.scoredTokens < both.scoredTokens);
  assert.equal(both.verdict, 'watermarked');
  assert.equal(onlyA.verdict, 'watermarked');
  assert.throws(
    () => watermarkChooser({ params, key: keyN(4), vocabSize: 256 }),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_KEY',
  );
});

test('Gumbel and SynthID choices are distortion-free over keys; KGW tilts towards green', () => {
  const logits = Float32Array.from([2, 1.5, 1, 0.5, 0, -0.5, -1, -2]);
  const d = createDistribution(8);
  toDistribution(logits, {}, d, new Int32Array(8));
  const probs = Array.from(d.probs.subarray(0, 8));
  const N = 4000;
  for (const raw of [{ scheme: 'gumbel' }, { scheme: 'synthid' }]) {
    const params = normalizeParams({ ...raw, contextWidth: 1 });
    const counts = new Array<number>(8).fill(0);
    const rng = createRng(11);
    for (let i = 0; i < N; i++) {
      const ch = watermarkChooser({
        params,
        key: keyFromSecret(Uint8Array.from({ length: 32 }, () => rng.nextU32() & 0xff)),
        vocabSize: 8,
      });
      const ctx: ChooserContext = { tokens: [i % 8], promptLength: 1, rng };
      const tok = ch.choose(d, ctx);
      counts[tok] = (counts[tok] ?? 0) + 1;
    }
    const chi = counts.reduce(
      (s, o, j) => s + (o - N * (probs[j] ?? 0)) ** 2 / (N * (probs[j] ?? 1)),
      0,
    );
    assert.ok(
      chiSquareSf(chi, 7).log10 > -4,
      `${raw.scheme}: χ² ${chi}, counts ${counts.join(',')}`,
    );
  }
  const params = normalizeParams({ scheme: 'kgw', seeding: 'lefthash', gamma: 0.25, delta: 2 });
  const rng = createRng(12);
  let green = 0;
  for (let i = 0; i < N; i++) {
    const key = keyFromSecret(Uint8Array.from({ length: 32 }, () => rng.nextU32() & 0xff));
    const ch = watermarkChooser({ params, key, vocabSize: 8 });
    const tok = ch.choose(d, { tokens: [3], promptLength: 1, rng });
    const ks = keyedScheme({ params, key, vocabSize: 8 });
    const buf = new Uint8Array(ks.messageBytes);
    ks.pack(buf, 0, [3], 1, tok);
    const out = new Float64Array(1);
    ks.score(buf, 1, out);
    green += out[0] ?? 0;
  }
  // Exact expectation over random green lists for this distribution, computed by enumeration.
  let expect = 0;
  for (let mask = 0; mask < 256; mask++) {
    let z = 0;
    let gmass = 0;
    let pm = 1;
    for (let j = 0; j < 8; j++) {
      const g = (mask >> j) & 1;
      pm *= g ? 0.25 : 0.75;
      const w = (probs[j] ?? 0) * (g ? Math.exp(2) : 1);
      z += w;
      if (g) gmass += w;
    }
    expect += pm * (gmass / z);
  }
  // within 4 standard errors of the exact expectation (and far above γ)
  assert.ok(
    Math.abs(green / N - expect) < 4 * Math.sqrt(0.25 / N),
    `green rate ${green / N} vs ${expect}`,
  );
  assert.ok(expect > 0.5);
});

test('bad input: empty or tiny texts give insufficient evidence; ids outside the vocabulary are rejected', () => {
  const params = normalizeParams({ scheme: 'gumbel' });
  const key = keyN(1);
  const empty = detectWatermark({ text: '', tokenizer: bytes, keys: [key], params });
  assert.equal(empty.verdict, 'insufficient-evidence');
  assert.equal(empty.scoredTokens, 0);
  assert.equal(empty.pValue, 1);
  const tiny = detectWatermark({ text: 'hello there', tokenizer: bytes, keys: [key], params });
  assert.equal(tiny.verdict, 'insufficient-evidence');
  assert.ok(tiny.limitations.some((l) => l.includes(`only ${tiny.scoredTokens}`)));
  assert.throws(
    () => detectWatermark({ tokens: [1, 2, 300], tokenizer: bytes, keys: [key], params }),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_INPUT',
  );
  assert.throws(
    () => detectWatermark({ text: 'x', tokenizer: bytes, keys: [], params }),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_KEY',
  );
  assert.throws(
    () => detectWatermark({ text: 'x', tokenizer: bytes, keys: [key], params, alpha: 2 }),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_PARAMS',
  );
  for (const raw of [
    { scheme: 'nope' },
    { scheme: 'kgw', gamma: 1.5 },
    { scheme: 'gumbel', contextWidth: 0 },
    { scheme: 'synthid', depth: 65 },
    { scheme: 'gumbel', gama: 0.1 },
    { scheme: 'gumbel', prf: 'md5' },
  ])
    assert.throws(
      () => normalizeParams(raw),
      (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_PARAMS',
      JSON.stringify(raw),
    );
  // Raw bytes that are not UTF-8 are scored exactly with the byte tokenizer.
  const raw = new Uint8Array(300).map((_, i) => (i * 37) & 0xff);
  const v = detectWatermark({ bytes: raw, tokenizer: bytes, keys: [key], params });
  assert.equal(v.totalTokens, 300);
});
