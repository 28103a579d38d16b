/**
 * Test fixtures built by code: tiny models of each supported family as Hugging Face directories
 * (config.json + safetensors) or GGUF files, with deterministic pseudo-random weights.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeFloats,
  encodeSafetensors,
  type SafetensorsWriteTensor,
} from '../../src/formats/index.js';
import {
  encodeGguf,
  GGUF_VALUE_TYPE,
  quantize,
  type GgufWriteEntry,
  type GgufWriteTensor,
} from '../../src/formats/gguf/index.js';

/** A fresh temporary directory. */
export function tempDir(prefix = 'customs-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [-scale, scale). */
export function randomFloats(n: number, seed: number, scale = 0.1): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (r() * 2 - 1) * scale;
  return x;
}

/** Shapes of a tiny model. */
export interface TinyShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  vocab: number;
  experts?: number;
}

export const TINY: TinyShape = {
  hidden: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  ffn: 96,
  vocab: 64,
};

/** HF tensor list for a family with the given shape (values seeded by name). */
export function hfTensors(
  family: string,
  s: TinyShape,
  dtype: 'F32' | 'F16' | 'BF16' = 'F32',
): { name: string; shape: number[]; values: Float32Array }[] {
  const out: { name: string; shape: number[]; values: Float32Array }[] = [];
  let seed = 1;
  const add = (name: string, shape: number[], norm = false): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = norm
      ? Float32Array.from({ length: n }, (_, i) => 1 + ((i % 7) - 3) * 0.01)
      : randomFloats(n, seed++);
    out.push({ name, shape, values: v });
  };
  void dtype;
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  add('model.embed_tokens.weight', [s.vocab, s.hidden]);
  for (let l = 0; l < s.layers; l++) {
    const L = `model.layers.${l}.`;
    add(`${L}input_layernorm.weight`, [s.hidden], true);
    if (family === 'phi3') {
      add(`${L}self_attn.qkv_proj.weight`, [q + 2 * kv, s.hidden]);
    } else {
      add(`${L}self_attn.q_proj.weight`, [q, s.hidden]);
      add(`${L}self_attn.k_proj.weight`, [kv, s.hidden]);
      add(`${L}self_attn.v_proj.weight`, [kv, s.hidden]);
    }
    if (family === 'qwen2') {
      add(`${L}self_attn.q_proj.bias`, [q]);
      add(`${L}self_attn.k_proj.bias`, [kv]);
      add(`${L}self_attn.v_proj.bias`, [kv]);
    }
    add(`${L}self_attn.o_proj.weight`, [s.hidden, q]);
    if (family === 'qwen3' || family === 'gemma3' || family === 'qwen3_moe') {
      add(`${L}self_attn.q_norm.weight`, [s.headDim], true);
      add(`${L}self_attn.k_norm.weight`, [s.headDim], true);
    }
    add(`${L}post_attention_layernorm.weight`, [s.hidden], true);
    if (family === 'gemma2' || family === 'gemma3') {
      add(`${L}pre_feedforward_layernorm.weight`, [s.hidden], true);
      add(`${L}post_feedforward_layernorm.weight`, [s.hidden], true);
    }
    if (family === 'mixtral') {
      add(`${L}block_sparse_moe.gate.weight`, [s.experts ?? 2, s.hidden]);
      for (let e = 0; e < (s.experts ?? 2); e++) {
        add(`${L}block_sparse_moe.experts.${e}.w1.weight`, [s.ffn, s.hidden]);
        add(`${L}block_sparse_moe.experts.${e}.w2.weight`, [s.hidden, s.ffn]);
        add(`${L}block_sparse_moe.experts.${e}.w3.weight`, [s.ffn, s.hidden]);
      }
    } else if (family === 'qwen2_moe' || family === 'qwen3_moe') {
      add(`${L}mlp.gate.weight`, [s.experts ?? 2, s.hidden]);
      for (let e = 0; e < (s.experts ?? 2); e++) {
        add(`${L}mlp.experts.${e}.gate_proj.weight`, [s.ffn, s.hidden]);
        add(`${L}mlp.experts.${e}.up_proj.weight`, [s.ffn, s.hidden]);
        add(`${L}mlp.experts.${e}.down_proj.weight`, [s.hidden, s.ffn]);
      }
      if (family === 'qwen2_moe') {
        add(`${L}mlp.shared_expert.gate_proj.weight`, [s.ffn, s.hidden]);
        add(`${L}mlp.shared_expert.up_proj.weight`, [s.ffn, s.hidden]);
        add(`${L}mlp.shared_expert.down_proj.weight`, [s.hidden, s.ffn]);
      }
    } else if (family === 'phi3') {
      add(`${L}mlp.gate_up_proj.weight`, [2 * s.ffn, s.hidden]);
      add(`${L}mlp.down_proj.weight`, [s.hidden, s.ffn]);
    } else {
      add(`${L}mlp.gate_proj.weight`, [s.ffn, s.hidden]);
      add(`${L}mlp.up_proj.weight`, [s.ffn, s.hidden]);
      add(`${L}mlp.down_proj.weight`, [s.hidden, s.ffn]);
    }
  }
  add('model.norm.weight', [s.hidden], true);
  if (!family.startsWith('gemma')) add('lm_head.weight', [s.vocab, s.hidden]);
  return out;
}

const MODEL_TYPE: Record<string, [string, string]> = {
  llama: ['llama', 'LlamaForCausalLM'],
  mistral: ['mistral', 'MistralForCausalLM'],
  mixtral: ['mixtral', 'MixtralForCausalLM'],
  qwen2: ['qwen2', 'Qwen2ForCausalLM'],
  qwen2_moe: ['qwen2_moe', 'Qwen2MoeForCausalLM'],
  qwen3: ['qwen3', 'Qwen3ForCausalLM'],
  qwen3_moe: ['qwen3_moe', 'Qwen3MoeForCausalLM'],
  gemma: ['gemma', 'GemmaForCausalLM'],
  gemma2: ['gemma2', 'Gemma2ForCausalLM'],
  gemma3: ['gemma3_text', 'Gemma3ForCausalLM'],
  phi3: ['phi3', 'Phi3ForCausalLM'],
};

/** Write a tiny HF model directory of `family`; returns the directory and the tensors written. */
export function writeHfModel(
  dir: string,
  family: string,
  s: TinyShape = TINY,
  dtype: 'F32' | 'F16' | 'BF16' = 'F32',
): { dir: string; tensors: ReturnType<typeof hfTensors> } {
  mkdirSync(dir, { recursive: true });
  const [modelType, arch] = MODEL_TYPE[family] ?? ['llama', 'LlamaForCausalLM'];
  const config: Record<string, unknown> = {
    architectures: [arch],
    model_type: modelType,
    vocab_size: s.vocab,
    hidden_size: s.hidden,
    intermediate_size: s.ffn,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    head_dim: s.headDim,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: family.startsWith('gemma'),
  };
  if (s.experts) {
    config[family === 'mixtral' ? 'num_local_experts' : 'num_experts'] = s.experts;
    config['num_experts_per_tok'] = 1;
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const tensors = hfTensors(family, s, dtype);
  const st: SafetensorsWriteTensor[] = tensors.map((t) => ({
    name: t.name,
    dtype,
    shape: t.shape,
    data: encodeFloats(dtype, t.values),
  }));
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(st, { format: 'pt' }));
  return { dir, tensors };
}

/** llama.cpp's Q/K row interleave for GGUF (the inverse of what the reader undoes). */
export function permuteQK(
  w: Float32Array,
  rows: number,
  cols: number,
  heads: number,
): Float32Array {
  const hd = rows / heads;
  const half = hd / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++)
    for (let c = 0; c < hd; c++) {
      const i = c % half;
      const j = Math.floor(c / half);
      const s = 2 * i + j; // stored row for canonical row c
      out.set(w.subarray((h * hd + c) * cols, (h * hd + c + 1) * cols), (h * hd + s) * cols);
    }
  return out;
}

/** Build a llama GGUF from HF-named tensors (as llama.cpp's converter would), quantizing 2-D weights. */
export function ggufFromHf(
  tensors: ReturnType<typeof hfTensors>,
  s: TinyShape,
  opts: {
    typeId?: number;
    arch?: string;
    version?: 2 | 3;
    extraMeta?: GgufWriteEntry[];
    tokens?: string[];
  } = {},
): Uint8Array {
  const arch = opts.arch ?? 'llama';
  const typeId = opts.typeId ?? 0;
  const map = (n: string): string =>
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
  const gt: GgufWriteTensor[] = tensors.map((t) => {
    let v = t.values;
    if (arch === 'llama' && /q_proj\.weight$/.test(t.name))
      v = permuteQK(v, t.shape[0] ?? 0, t.shape[1] ?? 0, s.heads);
    if (arch === 'llama' && /k_proj\.weight$/.test(t.name))
      v = permuteQK(v, t.shape[0] ?? 0, t.shape[1] ?? 0, s.kvHeads);
    const is2d = t.shape.length === 2;
    const tid = is2d ? typeId : 0;
    return { name: map(t.name), dims: [...t.shape].reverse(), typeId: tid, data: quantize(tid, v) };
  });
  const meta: GgufWriteEntry[] = [
    { key: 'general.architecture', type: GGUF_VALUE_TYPE.STRING, value: arch },
    { key: 'general.name', type: GGUF_VALUE_TYPE.STRING, value: 'tiny' },
    { key: `${arch}.embedding_length`, type: GGUF_VALUE_TYPE.UINT32, value: s.hidden },
    { key: `${arch}.block_count`, type: GGUF_VALUE_TYPE.UINT32, value: s.layers },
    { key: `${arch}.feed_forward_length`, type: GGUF_VALUE_TYPE.UINT32, value: s.ffn },
    { key: `${arch}.attention.head_count`, type: GGUF_VALUE_TYPE.UINT32, value: s.heads },
    { key: `${arch}.attention.head_count_kv`, type: GGUF_VALUE_TYPE.UINT32, value: s.kvHeads },
    { key: `${arch}.attention.layer_norm_rms_epsilon`, type: GGUF_VALUE_TYPE.FLOAT32, value: 1e-6 },
    { key: `${arch}.rope.freq_base`, type: GGUF_VALUE_TYPE.FLOAT32, value: 10000 },
    {
      key: 'tokenizer.ggml.tokens',
      type: GGUF_VALUE_TYPE.ARRAY,
      arrayType: GGUF_VALUE_TYPE.STRING,
      value: opts.tokens ?? Array.from({ length: s.vocab }, (_, i) => `t${i}`),
    },
    ...(opts.extraMeta ?? []),
  ];
  return encodeGguf({ version: opts.version ?? 3, metadata: meta, tensors: gt });
}
