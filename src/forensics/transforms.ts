/**
 * Synthetic derivations of a Llama-style model, for the lineage evaluation and tests: the
 * function-preserving obfuscations of Zhu et al. (ICML 2025, App. G: residual permutation and
 * rotation, MLP unit permutation, norm-gain replacement, MLP and attention rescaling, KV-group
 * permutation) and lossy derivations (pruning, layer removal / duplication, merging, noise,
 * GGUF quantization). Models are held in memory as Hugging Face-named float32 tensors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { encodeFloats, encodeSafetensors } from '../formats/index.js';
import {
  encodeGguf,
  GGML_TYPES,
  GGML_TYPE_ID,
  GGUF_VALUE_TYPE,
  quantize,
} from '../formats/gguf/index.js';
import { openModel, type ModelView, type TensorRef } from '../model/index.js';
import { seededNormals } from './linalg.js';

/** A model in memory: config fields plus HF-named tensors. */
export interface MemoryModel {
  readonly config: {
    hidden: number;
    layers: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    ffn: number;
    vocab: number;
    ropeTheta: number;
    eps: number;
  };
  readonly tensors: Map<string, { shape: number[]; data: Float32Array }>;
  readonly tokens: readonly string[] | null;
}

/** Load a (llama-family) model fully into memory under Hugging Face names. Small models only. */
export async function loadMemoryModel(spec: string): Promise<MemoryModel> {
  const m = await openModel(spec);
  try {
    return await viewToMemory(m);
  } finally {
    await m.close();
  }
}

async function viewToMemory(m: ModelView): Promise<MemoryModel> {
  const c = m.config;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const put = async (name: string, ref: TensorRef | undefined, vector = false): Promise<void> => {
    if (!ref) return;
    tensors.set(name, {
      shape: vector ? [ref.rows * ref.cols] : [ref.rows, ref.cols],
      data: await m.readRef(ref),
    });
  };
  await put('model.embed_tokens.weight', m.roles.embedding);
  for (let l = 0; l < c.numLayers; l++) {
    const L = m.roles.layers[l];
    if (!L) continue;
    const p = `model.layers.${l}.`;
    await put(`${p}input_layernorm.weight`, L.attnNorm, true);
    await put(`${p}self_attn.q_proj.weight`, L.q);
    await put(`${p}self_attn.k_proj.weight`, L.k);
    await put(`${p}self_attn.v_proj.weight`, L.v);
    await put(`${p}self_attn.o_proj.weight`, L.o);
    await put(`${p}post_attention_layernorm.weight`, L.mlpNorm, true);
    await put(`${p}mlp.gate_proj.weight`, L.gate);
    await put(`${p}mlp.up_proj.weight`, L.up);
    await put(`${p}mlp.down_proj.weight`, L.down);
  }
  await put('model.norm.weight', m.roles.finalNorm, true);
  if (!m.roles.lmHeadTied) await put('lm_head.weight', m.roles.lmHead);
  const gate0 = m.roles.layers[0]?.gate;
  return {
    config: {
      hidden: c.hiddenSize,
      layers: c.numLayers,
      heads: c.numHeads,
      kvHeads: c.numKvHeads,
      headDim: c.headDim,
      ffn: gate0?.rows ?? c.intermediateSize,
      vocab: c.vocabSize,
      ropeTheta: c.ropeTheta,
      eps: c.rmsNormEps,
    },
    tensors,
    tokens: m.vocab?.tokens.map((t) => t ?? '') ?? null,
  };
}

function clone(m: MemoryModel): MemoryModel {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of m.tensors) tensors.set(k, { shape: [...v.shape], data: v.data.slice() });
  return { config: { ...m.config }, tensors, tokens: m.tokens };
}

function get(m: MemoryModel, name: string): { shape: number[]; data: Float32Array } {
  const t = m.tensors.get(name);
  if (!t) throw new UsageError('USAGE', `model has no tensor ${name}`);
  return t;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function permutation(n: number, seed: number): number[] {
  const r = rng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

/** Random orthogonal matrix (QR of a Gaussian matrix by Gram–Schmidt), row-major n×n. */
function orthogonal(n: number, seed: number): Float64Array {
  const g = seededNormals(n * n, seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) q[i * n + j] = g[i * n + j] as number;
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < i; k++) {
        let d = 0;
        for (let j = 0; j < n; j++) d += (q[i * n + j] as number) * (q[k * n + j] as number);
        for (let j = 0; j < n; j++)
          q[i * n + j] = (q[i * n + j] as number) - d * (q[k * n + j] as number);
      }
    let s = 0;
    for (let j = 0; j < n; j++) s += (q[i * n + j] as number) ** 2;
    s = Math.sqrt(s);
    for (let j = 0; j < n; j++) q[i * n + j] = (q[i * n + j] as number) / s;
  }
  return q;
}

type T = { shape: number[]; data: Float32Array };
const rows = (t: T): number => t.shape[0] ?? 1;
const cols = (t: T): number => t.shape[1] ?? t.data.length;

/** W (r×c) ← W·M (M c×c). */
function rightMul(t: T, mm: Float64Array): void {
  const r = rows(t);
  const c = cols(t);
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++)
    for (let k = 0; k < c; k++) {
      const a = t.data[i * c + k] as number;
      if (a === 0) continue;
      for (let j = 0; j < c; j++)
        out[i * c + j] = (out[i * c + j] as number) + a * (mm[k * c + j] as number);
    }
  t.data = out;
}

/** W (r×c) ← Mᵀ·W (M r×r). */
function leftMulT(t: T, mm: Float64Array): void {
  const r = rows(t);
  const c = cols(t);
  const out = new Float32Array(r * c);
  for (let k = 0; k < r; k++)
    for (let i = 0; i < r; i++) {
      const a = mm[k * r + i] as number; // (Mᵀ)[i][k]
      if (a === 0) continue;
      for (let j = 0; j < c; j++)
        out[i * c + j] = (out[i * c + j] as number) + a * (t.data[k * c + j] as number);
    }
  t.data = out;
}

function scaleCols(t: T, s: ArrayLike<number>): void {
  const c = cols(t);
  for (let i = 0; i < t.data.length; i++) t.data[i] = (t.data[i] as number) * (s[i % c] as number);
}
function scaleRows(t: T, s: ArrayLike<number>): void {
  const c = cols(t);
  for (let i = 0; i < t.data.length; i++)
    t.data[i] = (t.data[i] as number) * (s[Math.floor(i / c)] as number);
}
function permuteRows(t: T, p: readonly number[]): void {
  const c = cols(t);
  const out = new Float32Array(t.data.length);
  p.forEach((src, dst) => out.set(t.data.subarray(src * c, (src + 1) * c), dst * c));
  t.data = out;
}
function permuteCols(t: T, p: readonly number[]): void {
  const r = rows(t);
  const c = cols(t);
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < r; i++)
    p.forEach((src, dst) => (out[i * c + dst] = t.data[i * c + src] as number));
  t.data = out;
}

const READ_SIDE = (l: number): string[] => [
  `model.layers.${l}.self_attn.q_proj.weight`,
  `model.layers.${l}.self_attn.k_proj.weight`,
  `model.layers.${l}.self_attn.v_proj.weight`,
  `model.layers.${l}.mlp.gate_proj.weight`,
  `model.layers.${l}.mlp.up_proj.weight`,
];
const WRITE_SIDE = (l: number): string[] => [
  `model.layers.${l}.self_attn.o_proj.weight`,
  `model.layers.${l}.mlp.down_proj.weight`,
];

/** Fold every RMSNorm gain into the projections that read its output; gains become 1. */
export function foldNorms(m: MemoryModel): MemoryModel {
  const out = clone(m);
  for (let l = 0; l < out.config.layers; l++) {
    const p = `model.layers.${l}.`;
    const ga = get(out, `${p}input_layernorm.weight`);
    for (const n of ['q_proj', 'k_proj', 'v_proj'])
      scaleCols(get(out, `${p}self_attn.${n}.weight`), ga.data);
    ga.data.fill(1);
    const gm = get(out, `${p}post_attention_layernorm.weight`);
    for (const n of ['gate_proj', 'up_proj']) scaleCols(get(out, `${p}mlp.${n}.weight`), gm.data);
    gm.data.fill(1);
  }
  const gf = out.tensors.get('model.norm.weight');
  const head = out.tensors.get('lm_head.weight');
  if (gf && head) {
    scaleCols(head, gf.data);
    gf.data.fill(1);
  }
  return out;
}

/** The transformations the evaluation applies. */
export type TransformKind =
  | 'residual-permutation'
  | 'residual-rotation'
  | 'unit-permutation'
  | 'kv-group-permutation'
  | 'norm-gain-swap'
  | 'attention-rescaling'
  | 'mlp-rescaling'
  | 'obfuscate-all'
  | 'prune-mlp-50'
  | 'drop-layer'
  | 'duplicate-layer'
  | 'noise-light'
  | 'noise-heavy';

/** Apply one transformation (deterministic in `seed`). */
export function transformModel(src: MemoryModel, kind: TransformKind, seed = 1): MemoryModel {
  const c = src.config;
  const L = c.layers;
  switch (kind) {
    case 'residual-permutation': {
      const m = clone(src);
      const p = permutation(c.hidden, seed);
      permuteCols(get(m, 'model.embed_tokens.weight'), p);
      for (let l = 0; l < L; l++) {
        for (const n of READ_SIDE(l)) permuteCols(get(m, n), p);
        for (const n of WRITE_SIDE(l)) permuteRows(get(m, n), p);
        for (const n of ['input_layernorm', 'post_attention_layernorm'])
          permuteVec(get(m, `model.layers.${l}.${n}.weight`), p);
      }
      permuteVec(get(m, 'model.norm.weight'), p);
      const head = m.tensors.get('lm_head.weight');
      if (head) permuteCols(head, p);
      return m;
    }
    case 'residual-rotation': {
      const m = foldNorms(src);
      const R = orthogonal(c.hidden, seed);
      rightMul(get(m, 'model.embed_tokens.weight'), R);
      for (let l = 0; l < L; l++) {
        for (const n of READ_SIDE(l)) rightMul(get(m, n), R);
        for (const n of WRITE_SIDE(l)) leftMulT(get(m, n), R);
      }
      const head = m.tensors.get('lm_head.weight');
      if (head) rightMul(head, R);
      return m;
    }
    case 'unit-permutation': {
      const m = clone(src);
      for (let l = 0; l < L; l++) {
        const p = `model.layers.${l}.mlp.`;
        const perm = permutation(rows(get(m, `${p}gate_proj.weight`)), seed + l);
        permuteRows(get(m, `${p}gate_proj.weight`), perm);
        permuteRows(get(m, `${p}up_proj.weight`), perm);
        permuteCols(get(m, `${p}down_proj.weight`), perm);
      }
      return m;
    }
    case 'kv-group-permutation': {
      const m = clone(src);
      const groups = c.kvHeads;
      const qPer = c.heads / c.kvHeads;
      const hd = c.headDim;
      for (let l = 0; l < L; l++) {
        const gp = permutation(groups, seed + l);
        const rowsFor = (g: number, per: number): number[] =>
          Array.from({ length: per * hd }, (_, i) => g * per * hd + i);
        const kvPerm = gp.flatMap((g) => rowsFor(g, 1));
        const qPerm = gp.flatMap((g) => rowsFor(g, qPer));
        const p = `model.layers.${l}.self_attn.`;
        permuteRows(get(m, `${p}q_proj.weight`), qPerm);
        permuteRows(get(m, `${p}k_proj.weight`), kvPerm);
        permuteRows(get(m, `${p}v_proj.weight`), kvPerm);
        permuteCols(get(m, `${p}o_proj.weight`), qPerm);
      }
      return m;
    }
    case 'norm-gain-swap': {
      const m = clone(src);
      const r = rng(seed);
      for (let l = 0; l < L; l++) {
        const p = `model.layers.${l}.`;
        for (const [norm, readers] of [
          ['input_layernorm', ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj']],
          ['post_attention_layernorm', ['mlp.gate_proj', 'mlp.up_proj']],
        ] as const) {
          const g = get(m, `${p}${norm}.weight`);
          const s = Float32Array.from({ length: g.data.length }, () => 0.25 + 3.75 * r());
          for (let i = 0; i < g.data.length; i++)
            g.data[i] = (g.data[i] as number) * (s[i] as number);
          const inv = s.map((x) => 1 / x);
          for (const rd of readers) scaleCols(get(m, `${p}${rd}.weight`), inv);
        }
      }
      return m;
    }
    case 'attention-rescaling': {
      const m = clone(src);
      const r = rng(seed);
      for (let l = 0; l < L; l++) {
        const p = `model.layers.${l}.self_attn.`;
        const a = 0.3 + 3 * r();
        const b = 0.3 + 3 * r();
        scaleAll(get(m, `${p}q_proj.weight`), a);
        scaleAll(get(m, `${p}k_proj.weight`), 1 / a);
        scaleAll(get(m, `${p}v_proj.weight`), b);
        scaleAll(get(m, `${p}o_proj.weight`), 1 / b);
      }
      return m;
    }
    case 'mlp-rescaling': {
      const m = clone(src);
      const r = rng(seed);
      for (let l = 0; l < L; l++) {
        const p = `model.layers.${l}.mlp.`;
        const n = rows(get(m, `${p}up_proj.weight`));
        const s = Float32Array.from({ length: n }, () => 0.2 + 4.8 * r());
        scaleRows(get(m, `${p}up_proj.weight`), s);
        scaleCols(
          get(m, `${p}down_proj.weight`),
          s.map((x) => 1 / x),
        );
      }
      return m;
    }
    case 'obfuscate-all': {
      let m = transformModel(src, 'norm-gain-swap', seed);
      m = transformModel(m, 'residual-rotation', seed + 1);
      m = transformModel(m, 'unit-permutation', seed + 2);
      m = transformModel(m, 'kv-group-permutation', seed + 3);
      m = transformModel(m, 'attention-rescaling', seed + 4);
      return transformModel(m, 'mlp-rescaling', seed + 5);
    }
    case 'prune-mlp-50': {
      const m = clone(src);
      for (let l = 0; l < L; l++) {
        const p = `model.layers.${l}.mlp.`;
        const g = get(m, `${p}gate_proj.weight`);
        const n = rows(g);
        const norms = Array.from({ length: n }, (_, u) => {
          let s = 0;
          for (let j = 0; j < cols(g); j++) s += (g.data[u * cols(g) + j] as number) ** 2;
          return s;
        });
        const keep = Array.from({ length: n }, (_, u) => u)
          .sort((a, b) => (norms[b] as number) - (norms[a] as number))
          .slice(0, Math.floor(n / 2))
          .sort((a, b) => a - b);
        for (const name of ['gate_proj', 'up_proj']) {
          const t = get(m, `${p}${name}.weight`);
          const out = new Float32Array(keep.length * cols(t));
          keep.forEach((u, i) =>
            out.set(t.data.subarray(u * cols(t), (u + 1) * cols(t)), i * cols(t)),
          );
          t.data = out;
          t.shape = [keep.length, cols(t)];
        }
        const d = get(m, `${p}down_proj.weight`);
        const out = new Float32Array(rows(d) * keep.length);
        for (let i = 0; i < rows(d); i++)
          keep.forEach((u, j) => (out[i * keep.length + j] = d.data[i * cols(d) + u] as number));
        d.data = out;
        d.shape = [rows(d), keep.length];
      }
      return { ...m, config: { ...m.config, ffn: Math.floor(c.ffn / 2) } };
    }
    case 'drop-layer':
    case 'duplicate-layer': {
      const victim = Math.floor(L / 2);
      const order =
        kind === 'drop-layer'
          ? Array.from({ length: L }, (_, i) => i).filter((i) => i !== victim)
          : [
              ...Array.from({ length: victim + 1 }, (_, i) => i),
              ...Array.from({ length: L - victim }, (_, i) => victim + i),
            ];
      const tensors = new Map<string, T>();
      for (const [k, v] of src.tensors) {
        const mm = /^model\.layers\.(\d+)\.(.*)$/.exec(k);
        if (!mm) tensors.set(k, { shape: [...v.shape], data: v.data.slice() });
      }
      order.forEach((from, to) => {
        for (const [k, v] of src.tensors) {
          const mm = /^model\.layers\.(\d+)\.(.*)$/.exec(k);
          if (mm && Number(mm[1]) === from)
            tensors.set(`model.layers.${to}.${mm[2] ?? ''}`, {
              shape: [...v.shape],
              data: v.data.slice(),
            });
        }
      });
      return { config: { ...c, layers: order.length }, tensors, tokens: src.tokens };
    }
    case 'noise-light':
    case 'noise-heavy': {
      const m = clone(src);
      const frac = kind === 'noise-light' ? 0.1 : 0.5;
      let s = seed;
      for (const [name, t] of m.tensors) {
        if (t.shape.length < 2) continue;
        let sd = 0;
        for (const v of t.data) sd += v * v;
        sd = Math.sqrt(sd / t.data.length);
        const z = seededNormals(t.data.length, s++ + name.length);
        for (let i = 0; i < t.data.length; i++)
          t.data[i] = (t.data[i] as number) + frac * sd * (z[i] as number);
      }
      return m;
    }
  }
}

function permuteVec(t: T, p: readonly number[]): void {
  const out = new Float32Array(t.data.length);
  p.forEach((src, dst) => (out[dst] = t.data[src] as number));
  t.data = out;
}
function scaleAll(t: T, s: number): void {
  for (let i = 0; i < t.data.length; i++) t.data[i] = (t.data[i] as number) * s;
}

/** Element-wise average of two models with identical shapes (a linear merge). */
export function mergeModels(a: MemoryModel, b: MemoryModel, weight = 0.5): MemoryModel {
  const out = clone(a);
  for (const [k, t] of out.tensors) {
    const u = b.tensors.get(k);
    if (!u || u.data.length !== t.data.length)
      throw new UsageError('USAGE', `cannot merge: tensor ${k} differs in shape`);
    for (let i = 0; i < t.data.length; i++)
      t.data[i] = weight * (t.data[i] as number) + (1 - weight) * (u.data[i] as number);
  }
  return out;
}

/** Write a memory model as a Hugging Face directory (config.json + model.safetensors). */
export function writeMemoryModel(
  m: MemoryModel,
  dir: string,
  dtype: 'F32' | 'BF16' | 'F16' = 'F32',
): void {
  mkdirSync(dir, { recursive: true });
  const c = m.config;
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: c.vocab,
      hidden_size: c.hidden,
      intermediate_size: c.ffn,
      num_hidden_layers: c.layers,
      num_attention_heads: c.heads,
      num_key_value_heads: c.kvHeads,
      head_dim: c.headDim,
      rms_norm_eps: c.eps,
      rope_theta: c.ropeTheta,
      tie_word_embeddings: !m.tensors.has('lm_head.weight'),
    }),
  );
  const tensors = [...m.tensors].map(([name, t]) => ({
    name,
    dtype,
    shape: t.shape,
    data: encodeFloats(dtype, t.data),
  }));
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
}

/** llama.cpp's Q/K row interleave for its RoPE layout (`LlamaModel.permute` in convert_hf_to_gguf.py). */
export function ggufPermuteQK(
  w: Float32Array,
  nRows: number,
  nCols: number,
  heads: number,
): Float32Array {
  const hd = nRows / heads;
  const half = hd / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++)
    for (let r = 0; r < hd; r++) {
      const stored = 2 * (r % half) + Math.floor(r / half);
      out.set(
        w.subarray((h * hd + r) * nCols, (h * hd + r + 1) * nCols),
        (h * hd + stored) * nCols,
      );
    }
  return out;
}

/**
 * Fallback when a tensor's rows are not a multiple of the type's block size, like llama.cpp's
 * `llama_tensor_get_type` (K-quants need 256-wide rows).
 */
export const QUANT_FALLBACK: Readonly<Record<string, string>> = {
  Q2_K: 'Q4_0',
  Q3_K: 'Q4_0',
  Q4_K: 'Q5_0',
  Q5_K: 'Q5_1',
  Q6_K: 'Q8_0',
  Q8_K: 'Q8_0',
  IQ4_NL: 'Q4_0',
};

/** Write a memory model as GGUF v3 the way llama.cpp exports llama models, 2-D weights quantized to `type`. */
export function writeMemoryModelGguf(
  m: MemoryModel,
  file: string,
  type: string,
): { fallbacks: number } {
  const typeId = GGML_TYPE_ID[type];
  if (typeId === undefined) throw new UsageError('USAGE', `unknown GGML type ${type}`);
  const c = m.config;
  const name = (n: string): string =>
    n
      .replace('model.embed_tokens.weight', 'token_embd.weight')
      .replace('model.norm.weight', 'output_norm.weight')
      .replace('lm_head.weight', 'output.weight')
      .replace(/^model\.layers\.(\d+)\./, 'blk.$1.')
      .replace('input_layernorm', 'attn_norm')
      .replace('post_attention_layernorm', 'ffn_norm')
      .replace('self_attn.q_proj', 'attn_q')
      .replace('self_attn.k_proj', 'attn_k')
      .replace('self_attn.v_proj', 'attn_v')
      .replace('self_attn.o_proj', 'attn_output')
      .replace('mlp.gate_proj', 'ffn_gate')
      .replace('mlp.up_proj', 'ffn_up')
      .replace('mlp.down_proj', 'ffn_down');
  let fallbacks = 0;
  const tensors = [...m.tensors].map(([n, t]) => {
    let data = t.data;
    if (/q_proj\.weight$/.test(n)) data = ggufPermuteQK(data, rows(t), cols(t), c.heads);
    if (/k_proj\.weight$/.test(n)) data = ggufPermuteQK(data, rows(t), cols(t), c.kvHeads);
    let tid = t.shape.length === 2 ? typeId : 0;
    const bs = GGML_TYPES.get(tid)?.blockSize ?? 1;
    if (cols(t) % bs !== 0) {
      tid = GGML_TYPE_ID[QUANT_FALLBACK[type] ?? 'Q8_0'] ?? 8;
      if (cols(t) % (GGML_TYPES.get(tid)?.blockSize ?? 1) !== 0) tid = 0;
      fallbacks++;
    }
    return { name: name(n), dims: [...t.shape].reverse(), typeId: tid, data: quantize(tid, data) };
  });
  const meta = [
    { key: 'general.architecture', type: GGUF_VALUE_TYPE.STRING, value: 'llama' },
    { key: 'general.name', type: GGUF_VALUE_TYPE.STRING, value: `synthetic-${type}` },
    { key: 'llama.embedding_length', type: GGUF_VALUE_TYPE.UINT32, value: c.hidden },
    { key: 'llama.block_count', type: GGUF_VALUE_TYPE.UINT32, value: c.layers },
    { key: 'llama.feed_forward_length', type: GGUF_VALUE_TYPE.UINT32, value: c.ffn },
    { key: 'llama.attention.head_count', type: GGUF_VALUE_TYPE.UINT32, value: c.heads },
    { key: 'llama.attention.head_count_kv', type: GGUF_VALUE_TYPE.UINT32, value: c.kvHeads },
    { key: 'llama.attention.key_length', type: GGUF_VALUE_TYPE.UINT32, value: c.headDim },
    { key: 'llama.attention.layer_norm_rms_epsilon', type: GGUF_VALUE_TYPE.FLOAT32, value: c.eps },
    { key: 'llama.rope.freq_base', type: GGUF_VALUE_TYPE.FLOAT32, value: c.ropeTheta },
    ...(m.tokens
      ? [
          {
            key: 'tokenizer.ggml.tokens',
            type: GGUF_VALUE_TYPE.ARRAY,
            arrayType: GGUF_VALUE_TYPE.STRING,
            value: [...m.tokens],
          },
        ]
      : []),
  ];
  writeFileSync(file, encodeGguf({ metadata: meta, tensors }));
  return { fallbacks };
}
