/**
 * Load a small Llama-family model from the canonical model view into flat float32 arrays the
 * engine can run. Every supported storage type (f32, f16, bf16, FP8, GGUF quantized blocks) is
 * dequantized once by the view; the engine itself only sees float32 in Hugging Face row order.
 */
import type { ModelView, TensorRef } from '../model/index.js';
import { EngineError } from './errors.js';

/**
 * Most parameters the reference engine loads. It keeps every weight as float32 in memory; beyond
 * ~2 GiB a shared CPU box swaps, and this engine is meant for small reference models.
 */
export const MAX_ENGINE_PARAMETERS = 2 ** 29;

/** Families the engine runs: dense decoder-only models with RMSNorm, RoPE, GQA and a gated MLP. */
export const ENGINE_FAMILIES: ReadonlySet<string> = new Set([
  'llama',
  'mistral',
  'qwen2',
  'qwen3',
  'gemma',
]);

/**
 * How rotary position embeddings pair the dimensions of a head.
 * - `half`: Hugging Face `rotate_half` (GPT-NeoX style): dimension i pairs with i + d/2.
 * - `interleaved`: Meta's original / llama.cpp `LLAMA_ROPE_TYPE_NORM` (GPT-J style): 2i pairs
 *   with 2i+1. Hugging Face's converter permutes Q/K rows so that both give identical outputs.
 */
export type RopeLayout = 'half' | 'interleaved';

/** Hyperparameters the forward pass needs. */
export interface EngineConfig {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly intermediateSize: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  /** Rows of the embedding table (token ids the model accepts). */
  readonly vocabSize: number;
  /** Width of the logits (rows of lm_head); may exceed the tokenizer's vocabulary. */
  readonly logitsSize: number;
  readonly ropeTheta: number;
  readonly rmsNormEps: number;
  /** Trained context length; null when the config does not say. */
  readonly maxPositions: number | null;
  readonly embeddingScale: number;
  readonly activation: 'silu' | 'gelu_tanh';
  readonly ropeLayout: RopeLayout;
}

/** Weights of one decoder layer, row-major `[out, in]` like PyTorch `nn.Linear`. */
export interface LayerWeights {
  readonly attnNorm: Float32Array;
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly o: Float32Array;
  readonly qBias: Float32Array | null;
  readonly kBias: Float32Array | null;
  readonly vBias: Float32Array | null;
  /** Per-head RMSNorm on queries and keys before RoPE (Qwen3). */
  readonly qNorm: Float32Array | null;
  readonly kNorm: Float32Array | null;
  readonly mlpNorm: Float32Array;
  readonly gate: Float32Array;
  readonly up: Float32Array;
  readonly down: Float32Array;
}

/** A whole model in memory. */
export interface LlamaWeights {
  readonly config: EngineConfig;
  /** `[vocabSize, hidden]`. */
  readonly embedding: Float32Array;
  /** `[logitsSize, hidden]`; the same array as `embedding` when tied. */
  readonly lmHead: Float32Array;
  readonly finalNorm: Float32Array;
  readonly layers: readonly LayerWeights[];
  /** Where the weights came from (model spec), for reports. */
  readonly source: string;
}

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /**
   * `auto` (default): Hugging Face layout (GGUF Q/K rows are un-permuted by the model view).
   * `interleaved`: run RoPE on adjacent pairs; for GGUF the Q/K rows are read exactly as llama.cpp
   * stores them (no un-permutation), for safetensors the checkpoint is assumed to hold Meta's
   * original layout. `half`: force the Hugging Face pairing.
   */
  readonly ropeLayout?: 'auto' | RopeLayout;
}

function shapeError(view: ModelView, what: string, ref: TensorRef, rows: number, cols: number) {
  return new EngineError(
    'UNSUPPORTED_MODEL',
    `${what} is [${ref.rows}, ${ref.cols}], expected [${rows}, ${cols}]`,
    { where: { file: view.spec, field: ref.tensor } },
  );
}

function withoutUnpermute(ref: TensorRef): TensorRef {
  const { unpermuteHeads: _drop, ...rest } = ref;
  return rest;
}

/**
 * Read every weight of a dense Llama-family model into memory.
 * Throws `UNSUPPORTED_MODEL` for mixture-of-experts, unknown families, biases the engine does not
 * apply, or shapes that disagree with the config; `LIMIT_EXCEEDED` above
 * {@link MAX_ENGINE_PARAMETERS}.
 */
export async function loadWeights(
  view: ModelView,
  opts: LoadWeightsOptions = {},
): Promise<LlamaWeights> {
  const c = view.config;
  const where = { file: view.spec };
  if (!ENGINE_FAMILIES.has(view.family) || c.numExperts > 0) {
    throw new EngineError(
      'UNSUPPORTED_MODEL',
      `the reference engine runs dense ${[...ENGINE_FAMILIES].join('/')} models; this is ${view.family} (${view.architecture})${c.numExperts > 0 ? ' with experts' : ''}`,
      { where },
    );
  }
  for (const name of view.tensors.keys()) {
    // Biases the canonical roles do not carry would be silently dropped: refuse instead.
    if (/(o_proj|down_proj|up_proj|gate_proj|attn_output|ffn_(up|down|gate))\.bias$/.test(name)) {
      throw new EngineError('UNSUPPORTED_MODEL', `bias tensor "${name}" is not supported`, {
        where: { ...where, field: name },
      });
    }
  }
  const act = c.hiddenAct.startsWith('gelu') ? 'gelu_tanh' : c.hiddenAct === 'silu' ? 'silu' : null;
  if (!act) {
    throw new EngineError('UNSUPPORTED_MODEL', `activation "${c.hiddenAct}" is not supported`, {
      where: { ...where, field: 'hidden_act' },
    });
  }
  if (
    !(c.numHeads > 0) ||
    !(c.numKvHeads > 0) ||
    c.numHeads % c.numKvHeads !== 0 ||
    !(c.headDim > 0) ||
    c.headDim % 2 !== 0 ||
    !Number.isInteger(c.headDim)
  ) {
    throw new EngineError(
      'UNSUPPORTED_MODEL',
      `heads ${c.numHeads} / kv heads ${c.numKvHeads} / head dim ${c.headDim} are not a valid GQA layout`,
      { where },
    );
  }
  const r = view.roles;
  const hidden = c.hiddenSize;
  let total =
    r.embedding.rows * r.embedding.cols + (r.lmHeadTied ? 0 : r.lmHead.rows * r.lmHead.cols);
  for (const l of r.layers)
    for (const ref of [l.q, l.k, l.v, l.o, l.gate, l.up, l.down])
      if (ref) total += ref.rows * ref.cols;
  if (total > MAX_ENGINE_PARAMETERS) {
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `model has ${total} parameters; the reference engine loads at most ${MAX_ENGINE_PARAMETERS}`,
      { where },
    );
  }
  const wantLayout = opts.ropeLayout ?? 'auto';
  let ropeLayout: RopeLayout = wantLayout === 'interleaved' ? 'interleaved' : 'half';
  const rawGguf = view.format === 'gguf' && wantLayout === 'interleaved';
  if (rawGguf && !r.layers.some((l) => l.q?.unpermuteHeads)) {
    throw new EngineError(
      'BAD_OPTIONS',
      `ropeLayout "interleaved" on GGUF needs an architecture llama.cpp stores permuted; ${view.architecture} uses the half layout`,
      { where },
    );
  }
  if (wantLayout === 'half') ropeLayout = 'half';

  const need = (
    ref: TensorRef | undefined,
    what: string,
    rows: number,
    cols: number,
  ): TensorRef => {
    if (!ref)
      throw new EngineError('UNSUPPORTED_MODEL', `model has no ${what}`, {
        where: { ...where, field: what },
      });
    if (ref.rows !== rows || ref.cols !== cols) throw shapeError(view, what, ref, rows, cols);
    return ref;
  };
  const read = (ref: TensorRef): Promise<Float32Array> =>
    view.readRef(rawGguf ? withoutUnpermute(ref) : ref);
  const readVec = async (
    ref: TensorRef | undefined,
    what: string,
    n: number,
  ): Promise<Float32Array> => {
    const ref2 = need(ref, what, ref && ref.cols === 1 ? n : 1, ref && ref.cols === 1 ? 1 : n);
    return read(ref2);
  };
  const optVec = async (ref: TensorRef | undefined, what: string, n: number) =>
    ref ? readVec(ref, what, n) : null;

  const qRows = c.numHeads * c.headDim;
  const kvRows = c.numKvHeads * c.headDim;
  const vocab = r.embedding.rows;
  need(r.embedding, 'embedding', vocab, hidden);
  const embedding = await read(r.embedding);
  const logitsSize = r.lmHead.rows;
  need(r.lmHead, 'lm_head', logitsSize, hidden);
  const lmHead = r.lmHeadTied ? embedding : await read(r.lmHead);
  const finalNorm = await readVec(r.finalNorm, 'final norm', hidden);
  if (r.layers.length !== c.numLayers) {
    throw new EngineError(
      'UNSUPPORTED_MODEL',
      `config says ${c.numLayers} layers but the model has ${r.layers.length}`,
      { where },
    );
  }
  const layers: LayerWeights[] = [];
  for (let i = 0; i < r.layers.length; i++) {
    const l = r.layers[i];
    if (!l) continue;
    const L = `layer ${i} `;
    if (l.postAttnNorm || l.postMlpNorm) {
      throw new EngineError('UNSUPPORTED_MODEL', `${L}has post-norms (gemma2/3), not supported`, {
        where,
      });
    }
    const ffn = l.gate?.rows ?? c.intermediateSize;
    layers.push({
      attnNorm: await readVec(l.attnNorm, `${L}attention norm`, hidden),
      q: await read(need(l.q, `${L}q_proj`, qRows, hidden)),
      k: await read(need(l.k, `${L}k_proj`, kvRows, hidden)),
      v: await read(need(l.v, `${L}v_proj`, kvRows, hidden)),
      o: await read(need(l.o, `${L}o_proj`, hidden, qRows)),
      qBias: await optVec(l.qBias, `${L}q bias`, qRows),
      kBias: await optVec(l.kBias, `${L}k bias`, kvRows),
      vBias: await optVec(l.vBias, `${L}v bias`, kvRows),
      qNorm: await optVec(l.qNorm, `${L}q norm`, c.headDim),
      kNorm: await optVec(l.kNorm, `${L}k norm`, c.headDim),
      mlpNorm: await readVec(l.mlpNorm, `${L}mlp norm`, hidden),
      gate: await read(need(l.gate, `${L}gate_proj`, ffn, hidden)),
      up: await read(need(l.up, `${L}up_proj`, ffn, hidden)),
      down: await read(need(l.down, `${L}down_proj`, hidden, ffn)),
    });
  }
  // Pruned models may have a different MLP width per layer; scratch space uses the widest.
  const ffn0 = layers.reduce((m, l) => Math.max(m, l.gate.length / hidden), 0);
  return {
    config: {
      hiddenSize: hidden,
      numLayers: c.numLayers,
      intermediateSize: ffn0,
      numHeads: c.numHeads,
      numKvHeads: c.numKvHeads,
      headDim: c.headDim,
      vocabSize: vocab,
      logitsSize,
      ropeTheta: c.ropeTheta,
      rmsNormEps: c.rmsNormEps,
      maxPositions: c.maxPositions,
      embeddingScale: c.embeddingScale,
      activation: act,
      ropeLayout,
    },
    embedding,
    lmHead,
    finalNorm,
    layers,
    source: view.spec,
  };
}
