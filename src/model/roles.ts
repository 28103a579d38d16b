/**
 * Map stored tensor names to canonical roles. Hugging Face names follow transformers'
 * modeling files (`model.layers.N.self_attn.q_proj.weight`, mixtral's `block_sparse_moe.experts.E.w1`,
 * phi3's fused `qkv_proj` / `gate_up_proj`); GGUF names follow llama.cpp's tensor map
 * (`blk.N.attn_q.weight`, stacked experts `blk.N.ffn_gate_exps.weight`).
 */
import { FormatError } from '../errors.js';
import { GGUF_PERMUTED_QK_ARCHS, NORM_PLUS_ONE_FAMILIES } from './config.js';
import type {
  LayerRoles,
  MlpRoles,
  ModelConfig,
  ModelFamily,
  ModelRoles,
  TensorEntry,
  TensorRef,
} from './types.js';

type Tensors = ReadonlyMap<string, TensorEntry>;

function as2d(t: TensorEntry): { rows: number; cols: number } {
  const cols = t.shape.length === 0 ? 1 : (t.shape[t.shape.length - 1] ?? 1);
  return { rows: cols === 0 ? 0 : t.elements / cols, cols };
}

function ref(ts: Tensors, name: string, extra: Partial<TensorRef> = {}): TensorRef | undefined {
  const t = ts.get(name);
  if (!t) return undefined;
  const { rows, cols } = as2d(t);
  return { tensor: name, rowOffset: 0, rows, cols, ...extra };
}

function slice(r: TensorRef | undefined, rowOffset: number, rows: number): TensorRef | undefined {
  if (!r) return undefined;
  return { ...r, rowOffset: r.rowOffset + rowOffset, rows };
}

function require(r: TensorRef | undefined, file: string, what: string): TensorRef {
  if (!r)
    throw new FormatError('MISSING_TENSOR', `model has no ${what} tensor`, {
      where: { file, field: what },
    });
  return r;
}

/** Attach FP8 block scales (`<name>_scale_inv`, DeepSeek/Qwen FP8 checkpoints) to a weight ref. */
function withScale(ts: Tensors, r: TensorRef | undefined): TensorRef | undefined {
  if (!r) return r;
  const t = ts.get(r.tensor);
  if (!t || !t.dtype.startsWith('F8')) return r;
  const scaleName = `${r.tensor}_scale_inv`;
  const s = ts.get(scaleName);
  if (!s || s.shape.length !== 2 || t.shape.length !== 2) return r;
  const [sr = 1, sc = 1] = s.shape;
  const [wr = 1, wc = 1] = t.shape;
  return {
    ...r,
    blockScale: { tensor: scaleName, blockRows: Math.ceil(wr / sr), blockCols: Math.ceil(wc / sc) },
  };
}

/** Find the prefix before `embed_tokens.weight` (e.g. `model.` or `model.language_model.`). */
function hfPrefix(ts: Tensors): string {
  for (const name of ts.keys()) {
    const m = /^(.*?)embed_tokens\.weight$/.exec(name);
    if (m) return m[1] ?? '';
  }
  return 'model.';
}

/** Roles for a Hugging Face (safetensors) checkpoint. */
export function hfRoles(
  ts: Tensors,
  family: ModelFamily,
  cfg: ModelConfig,
  file: string,
): ModelRoles {
  const p = hfPrefix(ts);
  const plusOne = NORM_PLUS_ONE_FAMILIES.has(family);
  const norm = (n: string): TensorRef | undefined => ref(ts, n, plusOne ? { addOne: true } : {});
  const w = (n: string): TensorRef | undefined => withScale(ts, ref(ts, n));
  const embedding = require(w(`${p}embed_tokens.weight`), file, 'embed_tokens');
  const head = w('lm_head.weight') ?? w(`${p.replace(/model\.$/, '')}lm_head.weight`);
  const layers: LayerRoles[] = [];
  const qRows = cfg.numHeads * cfg.headDim;
  const kvRows = cfg.numKvHeads * cfg.headDim;
  for (let i = 0; i < cfg.numLayers; i++) {
    const L = `${p}layers.${i}.`;
    const gemma2 = family === 'gemma2' || family === 'gemma3';
    const qkv = w(`${L}self_attn.qkv_proj.weight`);
    const gateUp = w(`${L}mlp.gate_up_proj.weight`);
    const experts: MlpRoles[] = [];
    for (let e = 0; e < cfg.numExperts; e++) {
      const mix = `${L}block_sparse_moe.experts.${e}.`;
      const qm = `${L}mlp.experts.${e}.`;
      const ex: MlpRoles = ts.has(`${mix}w1.weight`)
        ? { gate: w(`${mix}w1.weight`), up: w(`${mix}w3.weight`), down: w(`${mix}w2.weight`) }
        : {
            gate: w(`${qm}gate_proj.weight`),
            up: w(`${qm}up_proj.weight`),
            down: w(`${qm}down_proj.weight`),
          };
      experts.push(ex);
    }
    const shared: MlpRoles = {
      gate: w(`${L}mlp.shared_expert.gate_proj.weight`),
      up: w(`${L}mlp.shared_expert.up_proj.weight`),
      down: w(`${L}mlp.shared_expert.down_proj.weight`),
    };
    const layer: LayerRoles = compact({
      attnNorm: norm(`${L}input_layernorm.weight`),
      q: qkv ? slice(qkv, 0, qRows) : w(`${L}self_attn.q_proj.weight`),
      k: qkv ? slice(qkv, qRows, kvRows) : w(`${L}self_attn.k_proj.weight`),
      v: qkv ? slice(qkv, qRows + kvRows, kvRows) : w(`${L}self_attn.v_proj.weight`),
      o: w(`${L}self_attn.o_proj.weight`),
      qBias: ref(ts, `${L}self_attn.q_proj.bias`),
      kBias: ref(ts, `${L}self_attn.k_proj.bias`),
      vBias: ref(ts, `${L}self_attn.v_proj.bias`),
      qNorm: norm(`${L}self_attn.q_norm.weight`),
      kNorm: norm(`${L}self_attn.k_norm.weight`),
      postAttnNorm: gemma2 ? norm(`${L}post_attention_layernorm.weight`) : undefined,
      mlpNorm: gemma2
        ? norm(`${L}pre_feedforward_layernorm.weight`)
        : norm(`${L}post_attention_layernorm.weight`),
      postMlpNorm: gemma2 ? norm(`${L}post_feedforward_layernorm.weight`) : undefined,
      gate: gateUp ? slice(gateUp, 0, gateUp.rows / 2) : w(`${L}mlp.gate_proj.weight`),
      up: gateUp ? slice(gateUp, gateUp.rows / 2, gateUp.rows / 2) : w(`${L}mlp.up_proj.weight`),
      down: w(`${L}mlp.down_proj.weight`),
      router:
        w(`${L}block_sparse_moe.gate.weight`) ??
        (cfg.numExperts > 0 ? w(`${L}mlp.gate.weight`) : undefined),
      experts: experts.length > 0 ? experts : undefined,
      sharedExpert: shared.gate || shared.up || shared.down ? compact(shared) : undefined,
    });
    layers.push(layer);
  }
  return {
    embedding,
    lmHead: head ?? embedding,
    lmHeadTied: head === undefined,
    ...(norm(`${p}norm.weight`) ? { finalNorm: norm(`${p}norm.weight`) } : {}),
    layers,
  };
}

/** Roles for a GGUF file. Q/K of llama-style architectures get the per-head un-permutation. */
export function ggufRoles(
  ts: Tensors,
  arch: string,
  family: ModelFamily,
  cfg: ModelConfig,
  file: string,
): ModelRoles {
  const permuted = GGUF_PERMUTED_QK_ARCHS.has(arch);
  const w = (n: string): TensorRef | undefined => ref(ts, n);
  const embedding = require(w('token_embd.weight'), file, 'token_embd');
  const head = w('output.weight');
  const layers: LayerRoles[] = [];
  const qRows = cfg.numHeads * cfg.headDim;
  const kvRows = cfg.numKvHeads * cfg.headDim;
  const gemma2 = family === 'gemma2' || family === 'gemma3';
  for (let i = 0; i < cfg.numLayers; i++) {
    const L = `blk.${i}.`;
    const qkv = w(`${L}attn_qkv.weight`);
    const q = qkv ? slice(qkv, 0, qRows) : w(`${L}attn_q.weight`);
    const k = qkv ? slice(qkv, qRows, kvRows) : w(`${L}attn_k.weight`);
    // phi3 stores gate and up fused in ffn_up (gate first), with no ffn_gate tensor.
    const fusedUp =
      family === 'phi3' && !ts.has(`${L}ffn_gate.weight`) ? w(`${L}ffn_up.weight`) : undefined;
    const experts: MlpRoles[] = [];
    const ge = w(`${L}ffn_gate_exps.weight`);
    const ue = w(`${L}ffn_up_exps.weight`);
    const de = w(`${L}ffn_down_exps.weight`);
    if (cfg.numExperts > 0 && (ge || ue || de)) {
      for (let e = 0; e < cfg.numExperts; e++) {
        const part = (r: TensorRef | undefined): TensorRef | undefined =>
          r ? slice(r, (e * r.rows) / cfg.numExperts, r.rows / cfg.numExperts) : undefined;
        experts.push(compact({ gate: part(ge), up: part(ue), down: part(de) }));
      }
    }
    const shared: MlpRoles = {
      gate: w(`${L}ffn_gate_shexp.weight`),
      up: w(`${L}ffn_up_shexp.weight`),
      down: w(`${L}ffn_down_shexp.weight`),
    };
    layers.push(
      compact({
        attnNorm: w(`${L}attn_norm.weight`),
        q:
          permuted && q
            ? { ...q, unpermuteHeads: { heads: cfg.numHeads, headDim: cfg.headDim } }
            : q,
        k:
          permuted && k
            ? { ...k, unpermuteHeads: { heads: cfg.numKvHeads, headDim: cfg.headDim } }
            : k,
        v: qkv ? slice(qkv, qRows + kvRows, kvRows) : w(`${L}attn_v.weight`),
        o: w(`${L}attn_output.weight`),
        qBias: w(`${L}attn_q.bias`),
        kBias: w(`${L}attn_k.bias`),
        vBias: w(`${L}attn_v.bias`),
        qNorm: w(`${L}attn_q_norm.weight`),
        kNorm: w(`${L}attn_k_norm.weight`),
        postAttnNorm: gemma2 ? w(`${L}post_attention_norm.weight`) : undefined,
        mlpNorm: w(`${L}ffn_norm.weight`),
        postMlpNorm: gemma2 ? w(`${L}post_ffw_norm.weight`) : undefined,
        gate: fusedUp ? slice(fusedUp, 0, fusedUp.rows / 2) : w(`${L}ffn_gate.weight`),
        up: fusedUp ? slice(fusedUp, fusedUp.rows / 2, fusedUp.rows / 2) : w(`${L}ffn_up.weight`),
        down: w(`${L}ffn_down.weight`),
        router: w(`${L}ffn_gate_inp.weight`),
        experts: experts.length > 0 ? experts : undefined,
        sharedExpert: shared.gate || shared.up || shared.down ? compact(shared) : undefined,
      }),
    );
  }
  return {
    embedding,
    lmHead: head ?? embedding,
    lmHeadTied: head === undefined,
    ...(w('output_norm.weight') ? { finalNorm: w('output_norm.weight') } : {}),
    layers,
  };
}

/** Drop undefined properties (exactOptionalPropertyTypes). */
function compact<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
