import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createOpenAIClient,
  loadLocalModel,
  openAIBackend,
  parseHfTokenizer,
  type LocalModel,
  type TextBackend,
  type TokenScores,
} from '../../src/engine/index.js';
import {
  appendLedger,
  auditRadioactivity,
  createLedgerWriter,
  keyFromSecret,
  keyedScheme,
  loadLedger,
  normalizeParams,
  parsePrompts,
  watermarkChooser,
  WatermarkError,
} from '../../src/watermark/index.js';
import { binomialSf } from '../../src/stats/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { startStub } from '../engine/stub-server.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const KEY = keyFromSecret(Uint8Array.from({ length: 32 }, (_, i) => 200 - i));
const PARAMS = normalizeParams({
  scheme: 'kgw',
  seeding: 'lefthash',
  contextWidth: 2,
  gamma: 0.25,
  delta: 4,
});
const PROMPTS = [
  'The ',
  'def ',
  'And it came to pass',
  'import ',
  'In the beginning',
  'class ',
  'For ',
  'Thou ',
];

let teacher: LocalModel | null = null;
async function zoo(): Promise<LocalModel | null> {
  if (!existsSync(join(ZOO, 'base-x'))) return null;
  teacher ??= await loadLocalModel({ model: join(ZOO, 'base-x') });
  return teacher;
}

function watermarkedTexts(m: LocalModel, n: number, len: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const ch = watermarkChooser({ params: PARAMS, key: KEY, vocabSize: 256 });
    const g = m.generate({
      prompt: PROMPTS[i % PROMPTS.length] ?? 'x',
      maxNewTokens: len,
      seed: 100 + i,
      chooser: ch,
    });
    return (PROMPTS[i % PROMPTS.length] ?? 'x') + g.text;
  });
}

/**
 * An in-context copier: at each position it predicts the token that followed the same window
 * earlier in the text (else the real model's argmax). It never saw the key — a legitimate H0
 * suspect — but on watermarked audit texts it reproduces watermark-chosen pairs.
 */
function copier(m: LocalModel, h: number): LocalModel {
  return {
    ...m,
    spec: 'copier',
    score(o: { tokens: readonly number[]; from?: number; topK?: number }): TokenScores {
      const base = m.score(o);
      const argmax = Int32Array.from(base.argmax);
      const seen = new Map<string, number>();
      for (let t = 1; t < o.tokens.length; t++) {
        if (t >= h) {
          const w = o.tokens.slice(t - h, t).join(',');
          const prev = seen.get(w);
          if (prev !== undefined) argmax[t - 1] = prev;
        }
        if (t >= h) seen.set(o.tokens.slice(t - h, t).join(','), o.tokens[t] ?? 0);
      }
      return { ...base, argmax };
    },
  };
}

test('open mode: a model that copies from watermarked audit texts is not called radioactive', async (t) => {
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  const texts = watermarkedTexts(m, 6, 400);
  const suspect = copier(m, PARAMS.contextWidth);
  const v = await auditRadioactivity({
    params: PARAMS,
    key: KEY,
    tokenizer: m.tokenizer,
    suspect: { kind: 'open', model: suspect },
    prompts: texts,
    minScored: 20,
  });
  assert.notEqual(v.verdict, 'radioactive');
  assert.ok(v.log10PValue > -3, `p = ${v.pValue}`);
  assert.ok(v.key.skipped.excluded > 100, 'the copies were excluded');
  assert.equal(v.decoyCheck.passed, true);
  // Without the exclusion the copier's tuples would be strongly green: show it directly.
  const ks = keyedScheme({ params: PARAMS, key: KEY, vocabSize: 256 });
  const buf = new Uint8Array(ks.messageBytes);
  const out = new Float64Array(1);
  const seenPairs = new Set<string>();
  let n = 0;
  let green = 0;
  for (const text of texts) {
    const seq = m.encodePrompt(text);
    const sc = suspect.score({ tokens: seq });
    for (let i = PARAMS.contextWidth; i < seq.length; i++) {
      const v2 = sc.argmax[i - 1] ?? 0;
      const k = `${seq.slice(i - PARAMS.contextWidth, i).join(',')}>${v2}`;
      if (seenPairs.has(k)) continue;
      seenPairs.add(k);
      ks.pack(buf, 0, seq, i, v2);
      ks.score(buf, 1, out);
      n++;
      green += out[0] ?? 0;
    }
  }
  assert.ok(binomialSf(green, n, 0.25).log10 < -6, `naive scoring: ${green}/${n} green`);
});

test('open mode: the teacher itself (never trained on watermarked text) stays at H0', async (t) => {
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  const texts = watermarkedTexts(m, 6, 300);
  const v = await auditRadioactivity({
    params: PARAMS,
    key: KEY,
    tokenizer: m.tokenizer,
    suspect: { kind: 'open', model: m },
    prompts: texts,
    topK: 3,
    minScored: 20,
  });
  assert.notEqual(v.verdict, 'radioactive');
  assert.ok(v.log10PValue > -3, `p = ${v.pValue}`);
  assert.equal(v.decoys.length, 8);
  assert.equal(v.mode, 'open');
});

test('API mode: a suspect that emits our watermark is radioactive; a plain server is not', async (t) => {
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  // A suspect that learned the watermark perfectly: it generates with our key.
  const radioactive: TextBackend = {
    name: 'wm-suspect',
    kind: 'local',
    complete(req) {
      const ch = watermarkChooser({ params: PARAMS, key: KEY, vocabSize: 256 });
      const g = m.generate({
        prompt: req.prompt,
        maxNewTokens: req.maxTokens,
        seed: req.seed ?? 0,
        chooser: ch,
      });
      return Promise.resolve({
        text: g.text,
        tokenIds: g.tokens,
        logprobs: null,
        finishReason: g.finishReason,
      });
    },
  };
  const v = await auditRadioactivity({
    params: PARAMS,
    key: KEY,
    tokenizer: m.tokenizer,
    suspect: { kind: 'api', backend: radioactive },
    prompts: PROMPTS,
    maxTokens: 120,
  });
  assert.equal(v.verdict, 'radioactive');
  assert.ok(v.log10PValue < -10);
  assert.equal(v.decoyCheck.passed, true);
  const stub = await startStub(m);
  try {
    const backend = openAIBackend(createOpenAIClient({ baseUrl: stub.url }), {
      mode: 'completions',
    });
    const v2 = await auditRadioactivity({
      params: PARAMS,
      key: KEY,
      tokenizer: m.tokenizer,
      suspect: { kind: 'api', backend },
      prompts: PROMPTS,
      maxTokens: 120,
      minScored: 20,
    });
    assert.notEqual(v2.verdict, 'radioactive');
    assert.ok(v2.log10PValue > -3);
    assert.equal(stub.requests.length, PROMPTS.length);
  } finally {
    await stub.close();
  }
});

test('ledger: generation records served windows; the audit filter uses them; foreign ledgers refused', async (t) => {
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  const dir = tempDir();
  const file = join(dir, 'ledger.txt');
  const w = createLedgerWriter(KEY, PARAMS);
  const ch = watermarkChooser({ params: PARAMS, key: KEY, vocabSize: 256, ledger: w });
  m.generate({ prompt: 'And it came to pass', maxNewTokens: 200, seed: 1, chooser: ch });
  assert.equal(await appendLedger(file, w), ch.stats.watermarked);
  const ledger = await loadLedger(file, KEY, PARAMS);
  assert.ok(ledger.windows.size > 50 && ledger.windows.size <= ch.stats.watermarked);
  const texts = watermarkedTexts(m, 3, 200);
  const v = await auditRadioactivity({
    params: PARAMS,
    key: KEY,
    tokenizer: m.tokenizer,
    suspect: { kind: 'open', model: m },
    prompts: texts,
    ledger,
    minScored: 5,
  });
  assert.ok(v.key.skipped.filtered > 0);
  assert.equal(v.ledgerWindows, ledger.windows.size);
  const other = keyFromSecret(new Uint8Array(32).fill(9));
  await assert.rejects(
    loadLedger(file, other, PARAMS),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_LEDGER',
  );
  await assert.rejects(
    loadLedger(file, KEY, normalizeParams({ scheme: 'gumbel' })),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_LEDGER',
  );
  await assert.rejects(
    loadLedger(join(dir, 'none'), KEY, PARAMS),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_LEDGER',
  );
});

test('bad input: tokenizer mismatch, no prompts, malformed prompt files', async (t) => {
  assert.deepEqual(parsePrompts('a\n\nb\n'), ['a', 'b']);
  assert.deepEqual(parsePrompts('{"prompt":"x"}\n"y"\n{"text":"z"}\n'), ['x', 'y', 'z']);
  assert.throws(
    () => parsePrompts('{"prompt":1}\n'),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_INPUT',
  );
  assert.throws(
    () => parsePrompts('{"prompt":\n'),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_INPUT',
  );
  const m = await zoo();
  if (!m) return t.skip('zoo not found');
  const bpe = parseHfTokenizer({ model: { type: 'BPE', vocab: { a: 0, b: 1 }, merges: [] } });
  await assert.rejects(
    auditRadioactivity({
      params: PARAMS,
      key: KEY,
      tokenizer: bpe,
      suspect: { kind: 'open', model: m },
      prompts: ['ab'],
    }),
    (e: unknown) => e instanceof WatermarkError && e.code === 'TOKENIZER_MISMATCH',
  );
  await assert.rejects(
    auditRadioactivity({
      params: PARAMS,
      key: KEY,
      tokenizer: m.tokenizer,
      suspect: { kind: 'open', model: m },
      prompts: [],
    }),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_INPUT',
  );
});
