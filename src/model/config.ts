/**
 * Architecture detection and hyperparameters from Hugging Face `config.json` or GGUF metadata
 * (keys per llama.cpp `gguf-py/gguf/constants.py`: `{arch}.embedding_length`, `{arch}.block_count`,
 * `{arch}.feed_forward_length`, `{arch}.attention.head_count[_kv]`, ...).
 */
import { FormatError } from '../errors.js';
import { ggufGet, ggufNumber, ggufString, type GgufFile } from '../formats/gguf/parse.js';
import type { ModelConfig, ModelFamily } from './types.js';

const HF_FAMILIES: Readonly<Record<string, ModelFamily>> = {
  llama: 'llama',
  mistral: 'mistral',
  mixtral: 'mixtral',
  qwen2: 'qwen2',
  qwen2_moe: 'qwen2_moe',
  qwen3: 'qwen3',
  qwen3_moe: 'qwen3_moe',
  gemma: 'gemma',
  gemma2: 'gemma2',
  gemma3: 'gemma3',
  gemma3_text: 'gemma3',
  phi3: 'phi3',
};

const ARCH_CLASS: Readonly<Record<string, ModelFamily>> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  MixtralForCausalLM: 'mixtral',
  Qwen2ForCausalLM: 'qwen2',
  Qwen2MoeForCausalLM: 'qwen2_moe',
  Qwen3ForCausalLM: 'qwen3',
  Qwen3MoeForCausalLM: 'qwen3_moe',
  GemmaForCausalLM: 'gemma',
  Gemma2ForCausalLM: 'gemma2',
  Gemma3ForCausalLM: 'gemma3',
  Gemma3ForConditionalGeneration: 'gemma3',
  Phi3ForCausalLM: 'phi3',
};

const GGUF_FAMILIES: Readonly<Record<string, ModelFamily>> = {
  llama: 'llama',
  mistral: 'mistral',
  qwen2: 'qwen2',
  qwen2moe: 'qwen2_moe',
  qwen3: 'qwen3',
  qwen3moe: 'qwen3_moe',
  gemma: 'gemma',
  gemma2: 'gemma2',
  gemma3: 'gemma3',
  phi3: 'phi3',
};

/** Families whose GGUF export interleaves Q/K rows per head (llama.cpp `LlamaModel.permute`). */
export const GGUF_PERMUTED_QK_ARCHS: ReadonlySet<string> = new Set([
  'llama',
  'mistral',
  'granite',
  'granitemoe',
  'deci',
]);

/** Families whose RMSNorm gain is stored as w with effective gain 1 + w in Hugging Face checkpoints. */
export const NORM_PLUS_ONE_FAMILIES: ReadonlySet<ModelFamily> = new Set([
  'gemma',
  'gemma2',
  'gemma3',
]);

type Json = Record<string, unknown>;

function num(
  cfg: Json,
  keys: readonly string[],
  file: string,
  required: boolean,
  fallback = 0,
): number {
  for (const k of keys) {
    const v = cfg[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  if (required) {
    throw new FormatError('BAD_JSON', `config is missing a numeric ${keys.join(' / ')}`, {
      where: { file, field: keys[0] ?? '' },
    });
  }
  return fallback;
}

/** Detect the family and read hyperparameters from a Hugging Face config.json object. */
export function configFromHf(
  raw: unknown,
  file: string,
): { family: ModelFamily; architecture: string; config: ModelConfig } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FormatError('BAD_JSON', 'config.json must be an object', { where: { file } });
  }
  let cfg = raw as Json;
  // Multimodal wrappers (gemma3) keep the language model's config under text_config.
  const text = cfg['text_config'];
  if (
    typeof text === 'object' &&
    text !== null &&
    typeof (text as Json)['hidden_size'] === 'number'
  )
    cfg = { ...cfg, ...(text as Json) };
  const modelType = typeof cfg['model_type'] === 'string' ? cfg['model_type'] : '';
  const archs = Array.isArray(cfg['architectures'])
    ? (cfg['architectures'] as unknown[]).filter((a): a is string => typeof a === 'string')
    : [];
  const family =
    HF_FAMILIES[modelType] ??
    archs.map((a) => ARCH_CLASS[a]).find((f) => f !== undefined) ??
    'unknown';
  const hidden = num(cfg, ['hidden_size', 'n_embd', 'd_model'], file, true);
  const heads = num(cfg, ['num_attention_heads', 'n_head'], file, true);
  const kv = num(cfg, ['num_key_value_heads'], file, false, heads);
  const headDim = num(cfg, ['head_dim'], file, false, hidden / heads);
  const experts = num(cfg, ['num_local_experts', 'num_experts'], file, false, 0);
  const config: ModelConfig = {
    hiddenSize: hidden,
    numLayers: num(cfg, ['num_hidden_layers', 'n_layer'], file, true),
    intermediateSize: num(cfg, ['intermediate_size', 'moe_intermediate_size'], file, false, 0),
    numHeads: heads,
    numKvHeads: kv,
    headDim,
    vocabSize: num(cfg, ['vocab_size'], file, false, 0),
    maxPositions: num(cfg, ['max_position_embeddings'], file, false, 0) || null,
    ropeTheta: num(cfg, ['rope_theta'], file, false, 10000),
    rmsNormEps: num(cfg, ['rms_norm_eps', 'layer_norm_eps'], file, false, 1e-6),
    tiedEmbeddings:
      cfg['tie_word_embeddings'] === true ||
      (cfg['tie_word_embeddings'] === undefined && family.startsWith('gemma')),
    numExperts: experts,
    numExpertsPerToken: num(cfg, ['num_experts_per_tok'], file, false, 0),
    hiddenAct:
      typeof cfg['hidden_act'] === 'string'
        ? cfg['hidden_act']
        : typeof cfg['hidden_activation'] === 'string'
          ? cfg['hidden_activation']
          : 'silu',
    embeddingScale: family.startsWith('gemma') ? Math.sqrt(hidden) : 1,
  };
  return { family, architecture: archs[0] ?? modelType, config };
}

/** Detect the family and read hyperparameters from GGUF metadata. */
export function configFromGguf(f: GgufFile): {
  family: ModelFamily;
  architecture: string;
  config: ModelConfig;
} {
  const arch = ggufString(f, 'general.architecture');
  if (!arch)
    throw new FormatError('BAD_HEADER', 'GGUF has no general.architecture', {
      where: { file: f.source.name, field: 'general.architecture' },
    });
  const k = (s: string): number | undefined => ggufNumber(f, `${arch}.${s}`);
  const experts = k('expert_count') ?? 0;
  let family: ModelFamily = GGUF_FAMILIES[arch] ?? 'unknown';
  if (family === 'llama' && experts > 0) family = 'mixtral';
  const hidden = k('embedding_length');
  const layers = k('block_count');
  const heads = k('attention.head_count');
  if (hidden === undefined || layers === undefined || heads === undefined) {
    throw new FormatError(
      'BAD_HEADER',
      `GGUF lacks ${arch}.embedding_length / block_count / attention.head_count`,
      { where: { file: f.source.name, field: `${arch}.*` } },
    );
  }
  const tokens = ggufGet(f, 'tokenizer.ggml.tokens');
  const embd = f.tensors.get('token_embd.weight');
  const vocab =
    k('vocab_size') ?? (Array.isArray(tokens) ? tokens.length : undefined) ?? embd?.dims[1] ?? 0;
  const ff = k('feed_forward_length') ?? k('expert_feed_forward_length') ?? 0;
  const config: ModelConfig = {
    hiddenSize: hidden,
    numLayers: layers,
    intermediateSize: ff,
    numHeads: heads,
    numKvHeads: k('attention.head_count_kv') ?? heads,
    headDim: k('attention.key_length') ?? hidden / heads,
    vocabSize: vocab,
    maxPositions: k('context_length') ?? null,
    ropeTheta: k('rope.freq_base') ?? 10000,
    rmsNormEps: k('attention.layer_norm_rms_epsilon') ?? 1e-6,
    tiedEmbeddings: !f.tensors.has('output.weight'),
    numExperts: experts,
    numExpertsPerToken: k('expert_used_count') ?? 0,
    hiddenAct: family.startsWith('gemma') ? 'gelu_pytorch_tanh' : 'silu',
    embeddingScale: family.startsWith('gemma') ? Math.sqrt(hidden) : 1,
  };
  return { family, architecture: arch, config };
}
