import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, SourceError } from '../../src/errors.js';
import { openModel, type ModelView } from '../../src/model/index.js';
import { GGUF_VALUE_TYPE, writeGgufFile } from '../../src/formats/gguf/index.js';
import { parseGguf } from '../../src/formats/gguf/parse.js';
import { MemorySource } from '../../src/sources/index.js';
import { TINY, ggufFromHf, hfTensors, tempDir, writeHfModel } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');
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

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

async function withModel<T>(spec: string, fn: (m: ModelView) => Promise<T> | T): Promise<T> {
  const m = await openModel(spec);
  try {
    return await fn(m);
  } finally {
    await m.close();
  }
}

test('every zoo model opens with a llama view and readable roles', async () => {
  for (const name of ZOO_MODELS) {
    await withModel(join(ZOO, name), async (m) => {
      assert.equal(m.family, 'llama', name);
      assert.equal(m.config.hiddenSize, 96);
      assert.equal(m.config.numHeads, 4);
      assert.equal(m.config.numKvHeads, 2);
      assert.equal(m.vocab?.tokens.length, 256);
      assert.equal(m.roles.layers.length, m.config.numLayers);
      for (const layer of m.roles.layers) {
        for (const r of [
          layer.q,
          layer.k,
          layer.v,
          layer.o,
          layer.gate,
          layer.up,
          layer.down,
          layer.attnNorm,
          layer.mlpNorm,
        ]) {
          assert.ok(r, `${name}: missing role`);
          const x = await m.readRef(r);
          assert.equal(x.length, r.rows * r.cols);
          assert.ok(x.every(Number.isFinite));
        }
      }
    });
  }
});

test('GGUF export and its safetensors source agree after undoing the Q/K reorder', async () => {
  const st = await openModel(join(ZOO, 'x-finetune'));
  const gg = await openModel(join(ZOO, 'x-finetune-q8_0.gguf'));
  try {
    for (let l = 0; l < 3; l++) {
      for (const role of ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const) {
        const a = st.roles.layers[l]?.[role];
        const b = gg.roles.layers[l]?.[role];
        assert.ok(a && b);
        const x = await st.readRef(a);
        const y = await gg.readRef(b);
        // Q8_0 error ≤ half a step (max|block|/254) plus bf16 rounding of the source; 1% of the range is generous
        assert.ok(
          maxAbsDiff(x, y) <= 0.01 * maxAbs(x) + 2e-3,
          `layer ${l} ${role}: ${maxAbsDiff(x, y)}`,
        );
        if (role === 'q' || role === 'k') {
          // without un-permuting the rows the tensors do not agree
          const { unpermuteHeads: _u, ...plain } = b;
          void _u;
          const raw = await gg.readRef(plain);
          assert.ok(maxAbsDiff(x, raw) > 0.1 * maxAbs(x), 'reordering must matter');
        }
      }
    }
    assert.ok(
      maxAbsDiff(await st.readRef(st.roles.embedding), await gg.readRef(gg.roles.embedding)) < 0.01,
    );
    // row-range reads agree with whole reads, including through the un-permutation
    const q = gg.roles.layers[1]?.q;
    assert.ok(q);
    const whole = await gg.readRef(q);
    const part = await gg.readRows(q, 13, 30);
    assert.deepEqual(part, whole.subarray(13 * q.cols, 43 * q.cols));
  } finally {
    await st.close();
    await gg.close();
  }
});

test('a sharded checkpoint opens as one model with every tensor from its shard', async () => {
  await withModel(join(ZOO, 'x-continued'), (m) => {
    const weights = m.files.filter((f) => f.role === 'weights');
    assert.equal(weights.length, 3);
    assert.equal(m.tensors.size, 30);
    const index = JSON.parse(
      readFileSync(join(ZOO, 'x-continued/model.safetensors.index.json'), 'utf8'),
    ) as { weight_map: Record<string, string> };
    for (const [name, shard] of Object.entries(index.weight_map))
      assert.ok(m.tensors.get(name)?.file.endsWith(shard), name);
  });
});

const FAMILIES = [
  'llama',
  'mistral',
  'qwen2',
  'qwen3',
  'gemma',
  'gemma2',
  'gemma3',
  'phi3',
  'mixtral',
  'qwen2_moe',
  'qwen3_moe',
];

test('family detection and role mapping for each supported family', async () => {
  for (const family of FAMILIES) {
    const shape = family.includes('moe') || family === 'mixtral' ? { ...TINY, experts: 3 } : TINY;
    const { dir, tensors } = writeHfModel(join(tempDir(), family), family, shape);
    await withModel(dir, async (m) => {
      assert.equal(m.family, family);
      const L = m.roles.layers[1];
      assert.ok(L?.q && L.k && L.v && L.o && L.attnNorm && L.mlpNorm, family);
      assert.equal(L.q.rows, TINY.heads * TINY.headDim);
      assert.equal(L.k.rows, TINY.kvHeads * TINY.headDim);
      const byName = new Map(tensors.map((t) => [t.name, t.values]));
      if (family === 'phi3') {
        const fused = byName.get('model.layers.1.self_attn.qkv_proj.weight');
        assert.ok(fused);
        assert.deepEqual(await m.readRef(L.k), fused.subarray(64 * 64, 96 * 64));
        assert.ok(L.gate && L.up);
        const gu = byName.get('model.layers.1.mlp.gate_up_proj.weight');
        assert.deepEqual(await m.readRef(L.up), gu?.subarray(96 * 64));
      } else {
        assert.deepEqual(
          await m.readRef(L.k),
          byName.get('model.layers.1.self_attn.k_proj.weight'),
        );
      }
      if (family.startsWith('gemma')) {
        assert.equal(m.roles.lmHeadTied, true);
        const n = byName.get('model.layers.1.input_layernorm.weight');
        const got = await m.readRef(L.attnNorm);
        assert.ok(n);
        assert.ok(Math.abs((got[0] ?? 0) - ((n[0] ?? 0) + 1)) < 1e-6, 'gemma gains are 1 + w');
      }
      if (family === 'gemma2' || family === 'gemma3') assert.ok(L.postAttnNorm && L.postMlpNorm);
      if (family === 'qwen3' || family === 'gemma3') assert.ok(L.qNorm && L.kNorm);
      if (family === 'qwen2') assert.ok(L.qBias && L.kBias && L.vBias);
      if (family === 'mixtral' || family.includes('moe')) {
        assert.equal(L.experts?.length, 3);
        assert.ok(L.router);
        assert.ok(L.experts?.[2]?.down);
      }
      if (family === 'qwen2_moe') assert.ok(L.sharedExpert?.up);
    });
  }
});

test('GGUF architectures: qwen2 is not un-permuted, llama is; stacked experts split per expert', async () => {
  const tensors = hfTensors('llama', TINY);
  for (const arch of ['llama', 'qwen2']) {
    const p = join(tempDir(), `${arch}.gguf`);
    writeFileSync(p, ggufFromHf(tensors, TINY, { arch }));
    await withModel(p, async (m) => {
      const k = m.roles.layers[0]?.k;
      assert.ok(k);
      assert.equal(Boolean(k.unpermuteHeads), arch === 'llama');
      assert.deepEqual(
        await m.readRef(k),
        tensors.find((t) => t.name === 'model.layers.0.self_attn.k_proj.weight')?.values,
      );
    });
  }
  // a stacked-expert tensor [E, ff, hidden] in GGUF dims [hidden, ff, E]
  const E = 3;
  const p = join(tempDir(), 'moe.gguf');
  const embd = new Float32Array(TINY.vocab * TINY.hidden);
  const exps = Float32Array.from({ length: E * TINY.ffn * TINY.hidden }, (_, i) =>
    Math.floor(i / (TINY.ffn * TINY.hidden)),
  );
  await writeGgufFile(p, {
    metadata: [
      { key: 'general.architecture', type: GGUF_VALUE_TYPE.STRING, value: 'qwen3moe' },
      { key: 'qwen3moe.embedding_length', type: GGUF_VALUE_TYPE.UINT32, value: TINY.hidden },
      { key: 'qwen3moe.block_count', type: GGUF_VALUE_TYPE.UINT32, value: 1 },
      { key: 'qwen3moe.attention.head_count', type: GGUF_VALUE_TYPE.UINT32, value: TINY.heads },
      { key: 'qwen3moe.expert_count', type: GGUF_VALUE_TYPE.UINT32, value: E },
    ],
    tensors: [
      {
        name: 'token_embd.weight',
        dims: [TINY.hidden, TINY.vocab],
        typeId: 0,
        data: new Uint8Array(embd.buffer),
      },
      {
        name: 'blk.0.ffn_up_exps.weight',
        dims: [TINY.hidden, TINY.ffn, E],
        typeId: 0,
        data: new Uint8Array(exps.buffer),
      },
    ],
  });
  await withModel(p, async (m) => {
    assert.equal(m.family, 'qwen3_moe');
    const up2 = m.roles.layers[0]?.experts?.[2]?.up;
    assert.ok(up2);
    assert.equal(up2.rows, TINY.ffn);
    assert.ok((await m.readRef(up2)).every((v) => v === 2));
    assert.equal(m.roles.lmHeadTied, true);
  });
});

test('split GGUF files open as one model; a missing part is an error', async () => {
  const dir = tempDir();
  const tensors = hfTensors('llama', TINY);
  const whole = await parseGguf(new MemorySource('w', ggufFromHf(tensors, TINY)));
  const names = [...whole.tensors.keys()];
  const half = Math.ceil(names.length / 2);
  const meta = [...whole.metadata].map(([key, e]) => ({
    key,
    type: e.type,
    value: e.value,
    ...(e.arrayType !== undefined ? { arrayType: e.arrayType } : {}),
  }));
  for (let part = 0; part < 2; part++) {
    const mine = names.slice(part * half, (part + 1) * half);
    const ts = [];
    for (const n of mine) {
      const t = whole.tensors.get(n);
      assert.ok(t);
      ts.push({
        name: n,
        dims: t.dims,
        typeId: t.type.id,
        data: await whole.source.read(t.offset, t.byteLength),
      });
    }
    await writeGgufFile(join(dir, `tiny-0000${part + 1}-of-00002.gguf`), {
      metadata: [
        ...(part === 0 ? meta : []),
        { key: 'split.no', type: GGUF_VALUE_TYPE.UINT16, value: part },
        { key: 'split.count', type: GGUF_VALUE_TYPE.UINT16, value: 2 },
        { key: 'split.tensors.count', type: GGUF_VALUE_TYPE.INT32, value: names.length },
      ],
      tensors: ts,
    });
  }
  await withModel(join(dir, 'tiny-00001-of-00002.gguf'), async (m) => {
    assert.equal(m.tensors.size, names.length);
    assert.equal(m.files.length, 2);
    const down = m.roles.layers[1]?.down;
    assert.ok(down);
    assert.deepEqual(
      await m.readRef(down),
      tensors.find((t) => t.name === 'model.layers.1.mlp.down_proj.weight')?.values,
    );
  });
  await withModel(dir, (m) => assert.equal(m.tensors.size, names.length));
  const lonely = tempDir();
  writeFileSync(
    join(lonely, 'tiny-00001-of-00002.gguf'),
    readFileSync(join(dir, 'tiny-00001-of-00002.gguf')),
  );
  await assert.rejects(
    openModel(join(lonely, 'tiny-00001-of-00002.gguf')),
    (e: unknown) => e instanceof FormatError && e.code === 'MISSING_FILE',
  );
});

test('sharded safetensors faults: missing shard, index naming a missing tensor, traversal', async () => {
  const base = tempDir();
  const mk = (index: unknown): string => {
    const d = join(base, String(Math.random()).slice(2));
    const { dir } = writeHfModel(d, 'llama');
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    return dir;
  };
  const codeOf = async (spec: string): Promise<string> => {
    const e = await openModel(spec).then(
      async (m) => {
        await m.close();
        return null;
      },
      (err: unknown) => err,
    );
    assert.ok(e instanceof FormatError || e instanceof SourceError, String(e));
    return e.code;
  };
  assert.equal(await codeOf(mk({ weight_map: { a: 'model-00002.safetensors' } })), 'NOT_FOUND');
  assert.equal(await codeOf(mk({ weight_map: { nope: 'model.safetensors' } })), 'MISSING_TENSOR');
  assert.equal(await codeOf(mk({ weight_map: { a: '../../etc/passwd' } })), 'BAD_JSON');
  assert.equal(await codeOf(mk({ nothing: 1 })), 'BAD_JSON');
});

test('Hugging Face cache and Ollama specs resolve to files', async () => {
  const hub = tempDir();
  const snap = join(hub, 'models--acme--tiny', 'snapshots', 'abc123');
  writeHfModel(snap, 'qwen2');
  mkdirSync(join(hub, 'models--acme--tiny', 'refs'), { recursive: true });
  writeFileSync(join(hub, 'models--acme--tiny', 'refs', 'main'), 'abc123\n');
  const m = await openModel('hf:acme/tiny', { hfCache: hub });
  assert.equal(m.family, 'qwen2');
  assert.equal(m.resolved.resolvedFrom, 'hf-cache');
  await m.close();
  await assert.rejects(
    openModel('hf:acme/missing', { hfCache: hub }),
    (e: unknown) => e instanceof SourceError && e.code === 'NOT_FOUND',
  );

  const oll = tempDir();
  const digest = 'a'.repeat(64);
  mkdirSync(join(oll, 'manifests', 'registry.ollama.ai', 'library', 'tiny'), { recursive: true });
  mkdirSync(join(oll, 'blobs'));
  writeFileSync(
    join(oll, 'manifests', 'registry.ollama.ai', 'library', 'tiny', 'q8'),
    JSON.stringify({
      layers: [
        { mediaType: 'application/vnd.ollama.image.license', digest: `sha256:${'b'.repeat(64)}` },
        { mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${digest}` },
      ],
    }),
  );
  writeFileSync(
    join(oll, 'blobs', `sha256-${digest}`),
    ggufFromHf(hfTensors('llama', TINY), TINY, { typeId: 8 }),
  );
  const o = await openModel('ollama:tiny:q8', { ollamaDir: oll });
  assert.equal(o.format, 'gguf');
  assert.equal(o.resolved.resolvedFrom, 'ollama');
  await o.close();
  await assert.rejects(
    openModel('ollama:tiny:nope', { ollamaDir: oll }),
    (e: unknown) => e instanceof SourceError && e.code === 'NOT_FOUND',
  );
});
