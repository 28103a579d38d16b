import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openModel } from '../../src/model/index.js';
import {
  applyRope,
  createSession,
  EngineError,
  loadWeights,
  ropeTables,
  scoreTokens,
  type LlamaWeights,
} from '../../src/engine/index.js';
import { encodeFloats, encodeSafetensors } from '../../src/formats/index.js';
import {
  permuteQK,
  tempDir,
  writeHfModel,
  hfTensors,
  type TinyShape,
} from '../helpers/fixtures.js';
import { referenceLogits, refLogSoftmax } from './reference.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const ZOO_MODELS = [
  'base-x',
  'base-y',
  'base-z',
  'x-finetune',
  'x-continued',
  'x-finetune-obfuscated',
  'x-pruned',
  'x-layerdrop',
  'x-merge',
  'y-finetune',
  'x-distilled',
  'x-finetune-q8_0.gguf',
  'base-y-q4_0.gguf',
];
const TEXT = 'def main():\n    print("The LORD is my shepherd")\n';

function engineLogits(w: LlamaWeights, tokens: readonly number[]): Float32Array[] {
  const s = createSession(w);
  return tokens.map((t) => Float32Array.from(s.step(t)));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/** Relative agreement: max |engine − reference| over max(1, max |reference|). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] ?? 0));
  return maxDiff(a, b) / scale;
}

test('engine logits equal the float64 reference on every zoo model at several positions', async (t) => {
  if (!existsSync(ZOO)) return t.skip(`zoo not found at ${ZOO}`);
  const tokens = Array.from(new TextEncoder().encode(TEXT)).slice(0, 40);
  for (const name of ZOO_MODELS) {
    const view = await openModel(join(ZOO, name));
    try {
      const w = await loadWeights(view);
      const got = engineLogits(w, tokens);
      const ref = await referenceLogits(view, tokens);
      for (const pos of [0, 1, 7, 19, tokens.length - 1]) {
        const d = relDiff(got[pos] ?? [], ref[pos] ?? []);
        assert.ok(d < 1e-6, `${name} position ${pos}: relative difference ${d}`);
      }
    } finally {
      await view.close();
    }
  }
});

test('llama.cpp interleaved RoPE on raw GGUF Q/K rows equals the Hugging Face layout', async (t) => {
  const file = join(ZOO, 'x-finetune-q8_0.gguf');
  if (!existsSync(file)) return t.skip(`zoo not found at ${ZOO}`);
  const view = await openModel(file);
  try {
    const half = await loadWeights(view);
    const inter = await loadWeights(view, { ropeLayout: 'interleaved' });
    assert.equal(inter.config.ropeLayout, 'interleaved');
    // Stored rows really differ from the un-permuted ones, so the test is not vacuous.
    assert.ok(maxDiff(half.layers[0]?.q ?? [], inter.layers[0]?.q ?? []) > 1e-3);
    const tokens = Array.from(new TextEncoder().encode(TEXT)).slice(0, 30);
    const a = engineLogits(half, tokens);
    const b = engineLogits(inter, tokens);
    for (let i = 0; i < tokens.length; i++)
      assert.ok(relDiff(a[i] ?? [], b[i] ?? []) < 1e-5, `position ${i}`);
    // And the independent reference agrees in the interleaved layout on the raw rows.
    const ref = await referenceLogits(view, tokens.slice(0, 12), {
      layout: 'interleaved',
      rawQk: true,
    });
    assert.ok(relDiff(b[11] ?? [], ref[11] ?? []) < 2e-5);
  } finally {
    await view.close();
  }
});

test('a safetensors checkpoint in Meta layout runs with ropeLayout interleaved', async () => {
  const dir = tempDir();
  const s: TinyShape = {
    hidden: 32,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    ffn: 48,
    vocab: 40,
  };
  const hf = writeHfModel(join(dir, 'hf'), 'llama', s);
  mkdirSync(join(dir, 'meta'));
  const tensors = hfTensors('llama', s).map((x) => {
    let v = x.values;
    if (x.name.endsWith('q_proj.weight'))
      v = permuteQK(v, x.shape[0] ?? 0, x.shape[1] ?? 0, s.heads);
    if (x.name.endsWith('k_proj.weight'))
      v = permuteQK(v, x.shape[0] ?? 0, x.shape[1] ?? 0, s.kvHeads);
    return { name: x.name, dtype: 'F32' as const, shape: x.shape, data: encodeFloats('F32', v) };
  });
  writeFileSync(join(dir, 'meta', 'model.safetensors'), encodeSafetensors(tensors));
  writeFileSync(
    join(dir, 'meta', 'config.json'),
    JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: s.vocab,
      hidden_size: s.hidden,
      intermediate_size: s.ffn,
      num_hidden_layers: s.layers,
      num_attention_heads: s.heads,
      num_key_value_heads: s.kvHeads,
      head_dim: s.headDim,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
    }),
  );
  const v1 = await openModel(hf.dir);
  const v2 = await openModel(join(dir, 'meta'));
  try {
    const a = await loadWeights(v1);
    const b = await loadWeights(v2, { ropeLayout: 'interleaved' });
    const c = await loadWeights(v2); // wrong layout: must differ
    const toks = [1, 5, 9, 2, 33, 7, 7, 0, 12];
    const la = engineLogits(a, toks);
    const lb = engineLogits(b, toks);
    const lc = engineLogits(c, toks);
    for (let i = 0; i < toks.length; i++) assert.ok(relDiff(la[i] ?? [], lb[i] ?? []) < 1e-5);
    assert.ok(relDiff(la[8] ?? [], lc[8] ?? []) > 1e-4, 'layout must matter');
  } finally {
    await v1.close();
    await v2.close();
  }
});

test('GQA, MQA, MHA, Qwen2 biases, Qwen3 q/k norms and Gemma match the reference', async () => {
  const dir = tempDir();
  const cases: [string, TinyShape][] = [
    ['llama', { hidden: 32, layers: 2, heads: 4, kvHeads: 2, headDim: 8, ffn: 48, vocab: 40 }],
    ['llama', { hidden: 32, layers: 2, heads: 4, kvHeads: 1, headDim: 8, ffn: 48, vocab: 40 }],
    ['mistral', { hidden: 32, layers: 1, heads: 4, kvHeads: 4, headDim: 8, ffn: 48, vocab: 40 }],
    ['qwen2', { hidden: 32, layers: 2, heads: 4, kvHeads: 2, headDim: 8, ffn: 48, vocab: 40 }],
    ['qwen3', { hidden: 32, layers: 2, heads: 2, kvHeads: 1, headDim: 16, ffn: 48, vocab: 40 }],
    ['gemma', { hidden: 32, layers: 2, heads: 4, kvHeads: 1, headDim: 8, ffn: 48, vocab: 40 }],
  ];
  let i = 0;
  for (const [family, shape] of cases) {
    const { dir: d } = writeHfModel(join(dir, `${family}-${i++}`), family, shape);
    const view = await openModel(d);
    try {
      const w = await loadWeights(view);
      const toks = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7];
      const got = engineLogits(w, toks);
      const ref = await referenceLogits(view, toks);
      for (let p = 0; p < toks.length; p++)
        assert.ok(
          relDiff(got[p] ?? [], ref[p] ?? []) < 1e-5,
          `${family} kv=${shape.kvHeads} pos ${p}`,
        );
    } finally {
      await view.close();
    }
  }
});

test('mixture-of-experts and gemma2 models are refused with UNSUPPORTED_MODEL', async () => {
  const dir = tempDir();
  for (const family of ['mixtral', 'gemma2']) {
    const { dir: d } = writeHfModel(join(dir, family), family, {
      hidden: 16,
      layers: 1,
      heads: 2,
      kvHeads: 1,
      headDim: 8,
      ffn: 16,
      vocab: 16,
      ...(family === 'mixtral' ? { experts: 2 } : {}),
    });
    const view = await openModel(d);
    try {
      await assert.rejects(
        loadWeights(view),
        (e: unknown) => e instanceof EngineError && e.code === 'UNSUPPORTED_MODEL',
      );
    } finally {
      await view.close();
    }
  }
});

test('KV cache: step-by-step, prefill and rewind give the same logits', async (t) => {
  const file = join(ZOO, 'base-x');
  if (!existsSync(file)) return t.skip(`zoo not found at ${ZOO}`);
  const view = await openModel(file);
  const w = await loadWeights(view);
  await view.close();
  const toks = Array.from(new TextEncoder().encode('Blessed are the meek, for they shall'));
  const steps = engineLogits(w, toks);
  const s = createSession(w);
  const last = Float32Array.from(s.prefill(toks));
  assert.equal(maxDiff(last, steps[toks.length - 1] ?? []), 0);
  s.rewind(10);
  const again = Float32Array.from(s.step(toks[10] ?? 0));
  assert.equal(maxDiff(again, steps[10] ?? []), 0);
  // A cache filled with a different continuation then rewound must not leak into the result.
  s.reset();
  s.prefill([...toks.slice(0, 5), 65, 66, 67]);
  s.rewind(5);
  const l5 = Float32Array.from(s.step(toks[5] ?? 0));
  assert.equal(maxDiff(l5, steps[5] ?? []), 0);
  assert.throws(
    () => s.rewind(99),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_OPTIONS',
  );
  assert.throws(
    () => s.step(256),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_TOKEN',
  );
  const tiny = createSession(w, { capacity: 2 });
  tiny.step(1);
  tiny.step(2);
  assert.throws(
    () => tiny.step(3),
    (e: unknown) => e instanceof EngineError && e.code === 'LIMIT_EXCEEDED',
  );
  assert.throws(
    () => createSession(w, { capacity: 1e9 }),
    (e: unknown) => e instanceof EngineError,
  );
});

test('RoPE: q·k depends only on the relative offset, in both layouts', () => {
  const d = 16;
  const tabs = ropeTables(d, 10000, 64);
  const q0 = Float32Array.from({ length: d }, (_, i) => Math.sin(i + 1));
  const k0 = Float32Array.from({ length: d }, (_, i) => Math.cos(3 * i));
  for (const inter of [false, true]) {
    const dot = (m: number, n: number): number => {
      const q = Float32Array.from(q0);
      const k = Float32Array.from(k0);
      applyRope(q, 1, d, m, tabs, inter);
      applyRope(k, 1, d, n, tabs, inter);
      return q.reduce((s, v, i) => s + v * (k[i] ?? 0), 0);
    };
    for (const [m, n, s] of [
      [5, 2, 17],
      [30, 30, 3],
      [1, 9, 40],
    ] as const)
      assert.ok(Math.abs(dot(m, n) - dot(m + s, n + s)) < 1e-4);
    // and the rotation is not the identity
    assert.ok(Math.abs(dot(5, 2) - dot(5, 5)) > 1e-3);
  }
});

test('teacher-forced scores equal the reference log-softmax, also with a sliding window', async (t) => {
  const file = join(ZOO, 'base-y');
  if (!existsSync(file)) return t.skip(`zoo not found at ${ZOO}`);
  const view = await openModel(file);
  try {
    const w = await loadWeights(view);
    const toks = Array.from(new TextEncoder().encode('import os\nfor i in range(10):\n    x = i'));
    const sc = scoreTokens(w, { tokens: toks, topK: 3 });
    const ref = await referenceLogits(view, toks);
    for (let p = 1; p < toks.length; p++) {
      const lsm = refLogSoftmax(ref[p - 1] ?? []);
      const i = p - 1;
      assert.ok(Math.abs((sc.logprobs[i] ?? 0) - (lsm[toks[p] ?? 0] ?? 0)) < 1e-4);
      const best = lsm.indexOf(Math.max(...lsm));
      assert.equal(sc.argmax[i], best);
      assert.equal(sc.topIds?.[i * 3], best);
      assert.ok((sc.topLogprobs?.[i * 3] ?? 0) >= (sc.topLogprobs?.[i * 3 + 1] ?? 0));
    }
    // Past the capacity, scoring slides: position t attends to (t − 16, t] at absolute positions.
    const s16 = createSession(w, { capacity: 16, slide: true });
    const sc2 = scoreTokens(w, { tokens: toks, session: s16, from: 3 });
    assert.equal(sc2.slidPositions, toks.length - 1 - 16);
    const r = await referenceLogits(view, toks, { window: 16 });
    for (let target = 3; target < toks.length; target++) {
      const lsm = refLogSoftmax(r[target - 1] ?? []);
      assert.ok(
        Math.abs((sc2.logprobs[target - 3] ?? 0) - (lsm[toks[target] ?? 0] ?? 0)) < 1e-4,
        `target ${target}`,
      );
    }
    // A non-sliding session refuses to run past its capacity.
    assert.throws(
      () => scoreTokens(w, { tokens: toks, session: createSession(w, { capacity: 16 }) }),
      (e: unknown) => e instanceof EngineError && e.code === 'LIMIT_EXCEEDED',
    );
  } finally {
    await view.close();
  }
});
