/**
 * The forward pass of a dense Llama-family decoder with a KV cache, one token at a time.
 *
 * Follows Hugging Face `modeling_llama.py` (RMSNorm `x · rsqrt(mean(x²) + ε) · w`, rotary embeddings
 * with θ^(−2i/d) frequencies, grouped-query attention with causal softmax, SwiGLU MLP
 * `down(silu(gate(x)) ⊙ up(x))`), Qwen2 q/k/v biases, Qwen3 per-head q/k RMSNorm, and Gemma's
 * embedding scale and tanh-GELU. Arithmetic is float64 in registers with float32 storage; every
 * buffer is allocated once per session so a step allocates nothing.
 */
import { EngineError } from './errors.js';
import type { LlamaWeights } from './weights.js';

/**
 * Largest KV cache a session allocates (positions). A cache costs
 * layers × positions × kvDim × 8 bytes; this bound stops a hostile or mistaken option from
 * allocating gigabytes for the small models the engine is meant for.
 */
export const MAX_KV_CAPACITY = 32768;

/** Context length used when the model's config does not give one. */
export const DEFAULT_CAPACITY = 2048;

/** A running inference: the tokens fed so far live in the KV cache. */
export interface InferenceSession {
  readonly weights: LlamaWeights;
  /** Positions the cache holds. */
  readonly capacity: number;
  /** Number of tokens fed so far (the next token's position). */
  readonly position: number;
  /** Whether the session slides past its capacity instead of failing. */
  readonly slides: boolean;
  /**
   * Feed one token at the next position and return the next-token logits. The returned array is
   * reused by the next call: copy it if you need to keep it.
   */
  step(token: number): Float32Array;
  /** Feed tokens in order; returns the logits after the last one (reused buffer, as `step`). */
  prefill(tokens: ArrayLike<number>): Float32Array;
  /** Forget every token (position back to 0). */
  reset(): void;
  /** Forget the tokens after the first `n` (for backtracking); needs `n` ≤ position ≤ capacity. */
  rewind(n: number): void;
}

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** KV cache positions; default the model's trained context (or {@link DEFAULT_CAPACITY}). */
  readonly capacity?: number;
  /**
   * When the cache is full, keep going with sliding-window attention over the last `capacity`
   * tokens (a ring buffer; positions keep increasing, so RoPE offsets inside the window stay
   * below the trained context, like llama.cpp's context shift). Default false: a full cache is
   * a `LIMIT_EXCEEDED` error.
   */
  readonly slide?: boolean;
}

/** Default KV capacity for a model: its trained context length, bounded by {@link MAX_KV_CAPACITY}. */
export function defaultCapacity(w: LlamaWeights): number {
  return Math.min(w.config.maxPositions ?? DEFAULT_CAPACITY, MAX_KV_CAPACITY);
}

/** out[r] = Σ_c W[r, c] x[c] (+ bias[r]). Unrolled by 4 for V8. */
export function matvec(
  W: Float32Array,
  x: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  bias: Float32Array | null = null,
): void {
  let off = 0;
  const c4 = cols - (cols % 4);
  for (let r = 0; r < rows; r++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let c = 0;
    for (; c < c4; c += 4) {
      s0 += (W[off + c] as number) * (x[c] as number);
      s1 += (W[off + c + 1] as number) * (x[c + 1] as number);
      s2 += (W[off + c + 2] as number) * (x[c + 2] as number);
      s3 += (W[off + c + 3] as number) * (x[c + 3] as number);
    }
    for (; c < cols; c++) s0 += (W[off + c] as number) * (x[c] as number);
    out[r] = s0 + s1 + s2 + s3 + (bias ? (bias[r] as number) : 0);
    off += cols;
  }
}

/** out = x · rsqrt(mean(x²) + ε) ⊙ w over `n` elements starting at `xOff` / `outOff`. */
export function rmsNorm(
  x: Float32Array,
  w: Float32Array,
  out: Float32Array,
  n: number,
  eps: number,
  xOff = 0,
  outOff = 0,
): void {
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xOff + i] as number;
    ss += v * v;
  }
  const inv = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) out[outOff + i] = (x[xOff + i] as number) * inv * (w[i] as number);
}

/**
 * Rotary tables: cos/sin of position·θ^(−2i/d) for i < d/2 (Su et al. 2021, RoFormer §3.4;
 * Hugging Face `_compute_default_rope_parameters`).
 */
export interface RopeTables {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly half: number;
}

/** Build rotary tables for `capacity` positions. */
export function ropeTables(headDim: number, theta: number, capacity: number): RopeTables {
  const half = headDim / 2;
  const cos = new Float64Array(capacity * half);
  const sin = new Float64Array(capacity * half);
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / theta ** ((2 * i) / headDim);
    for (let p = 0; p < capacity; p++) {
      const a = p * invFreq;
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos, sin, half };
}

/** Rotate `heads` consecutive head vectors of `v` in place for position `pos`. */
export function applyRope(
  v: Float32Array,
  heads: number,
  headDim: number,
  pos: number,
  t: RopeTables,
  interleaved: boolean,
): void {
  const half = t.half;
  const base = pos * half;
  for (let h = 0; h < heads; h++) {
    const o = h * headDim;
    for (let i = 0; i < half; i++) {
      const c = t.cos[base + i] as number;
      const s = t.sin[base + i] as number;
      const ia = interleaved ? o + 2 * i : o + i;
      const ib = interleaved ? ia + 1 : ia + half;
      const a = v[ia] as number;
      const b = v[ib] as number;
      v[ia] = a * c - b * s;
      v[ib] = b * c + a * s;
    }
  }
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Causal attention of one query position over cached keys/values `[0, pos]`, all heads, with
 * grouped-query sharing (head h reads KV head ⌊h / group⌋). A plain function with every array
 * passed in, so V8 keeps them in registers.
 */
export function attend(
  q: Float32Array,
  kc: Float32Array,
  vc: Float32Array,
  att: Float32Array,
  scores: Float64Array,
  acc: Float64Array,
  pos: number,
  nh: number,
  hd: number,
  kvDim: number,
  group: number,
  scale: number,
): void {
  for (let h = 0; h < nh; h++) {
    const qo = h * hd;
    const ko = Math.floor(h / group) * hd;
    let max = -Infinity;
    for (let s = 0; s <= pos; s++) {
      const base = s * kvDim + ko;
      let d = 0;
      for (let i = 0; i < hd; i++) d += (q[qo + i] as number) * (kc[base + i] as number);
      d *= scale;
      scores[s] = d;
      if (d > max) max = d;
    }
    let sum = 0;
    for (let s = 0; s <= pos; s++) {
      const e = Math.exp((scores[s] as number) - max);
      scores[s] = e;
      sum += e;
    }
    const inv = 1 / sum;
    acc.fill(0);
    for (let s = 0; s <= pos; s++) {
      const a = (scores[s] as number) * inv;
      const base = s * kvDim + ko;
      for (let i = 0; i < hd; i++) acc[i] = (acc[i] as number) + a * (vc[base + i] as number);
    }
    for (let i = 0; i < hd; i++) att[qo + i] = acc[i] as number;
  }
}

/** Create an inference session with its own KV cache. */
export function createSession(w: LlamaWeights, opts: SessionOptions = {}): InferenceSession {
  const c = w.config;
  const capacity = opts.capacity ?? defaultCapacity(w);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_KV_CAPACITY) {
    throw new EngineError(
      'BAD_OPTIONS',
      `KV capacity ${capacity} must be an integer in [1, ${MAX_KV_CAPACITY}]`,
      { where: { field: 'capacity' } },
    );
  }
  const H = c.hiddenSize;
  const hd = c.headDim;
  const nh = c.numHeads;
  const nkv = c.numKvHeads;
  const group = nh / nkv;
  const qDim = nh * hd;
  const kvDim = nkv * hd;
  const ffn = c.intermediateSize;
  const eps = c.rmsNormEps;
  const interleaved = c.ropeLayout === 'interleaved';
  const slide = opts.slide === true;
  const half = hd / 2;
  const invFreq = new Float64Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / c.ropeTheta ** ((2 * i) / hd);
  const rope: RopeTables = { cos: new Float64Array(half), sin: new Float64Array(half), half };
  const kCache = w.layers.map(() => new Float32Array(capacity * kvDim));
  const vCache = w.layers.map(() => new Float32Array(capacity * kvDim));
  const x = new Float32Array(H);
  const xn = new Float32Array(H);
  const q = new Float32Array(qDim);
  const k = new Float32Array(kvDim);
  const v = new Float32Array(kvDim);
  const att = new Float32Array(qDim);
  const tmpH = new Float32Array(H);
  const g = new Float32Array(ffn);
  const u = new Float32Array(ffn);
  const scores = new Float64Array(capacity);
  const acc = new Float64Array(hd);
  const logits = new Float32Array(c.logitsSize);
  const scale = 1 / Math.sqrt(hd);
  let pos = 0;

  const step = (token: number): Float32Array => {
    if (!Number.isInteger(token) || token < 0 || token >= c.vocabSize) {
      throw new EngineError('BAD_TOKEN', `token id ${token} is outside [0, ${c.vocabSize})`, {
        where: { field: 'token', offset: pos },
      });
    }
    if (pos >= capacity && !slide) {
      throw new EngineError(
        'LIMIT_EXCEEDED',
        `KV cache is full (${capacity} positions); reset or rewind first`,
        { where: { field: 'position', offset: pos } },
      );
    }
    for (let i = 0; i < half; i++) {
      const a = pos * (invFreq[i] as number);
      rope.cos[i] = Math.cos(a);
      rope.sin[i] = Math.sin(a);
    }
    const slot = pos % capacity;
    const last = Math.min(pos, capacity - 1);
    const e0 = token * H;
    for (let i = 0; i < H; i++) x[i] = (w.embedding[e0 + i] as number) * c.embeddingScale;
    for (let l = 0; l < w.layers.length; l++) {
      const L = w.layers[l] as (typeof w.layers)[number];
      const kc = kCache[l] as Float32Array;
      const vc = vCache[l] as Float32Array;
      rmsNorm(x, L.attnNorm, xn, H, eps);
      matvec(L.q, xn, q, qDim, H, L.qBias);
      matvec(L.k, xn, k, kvDim, H, L.kBias);
      matvec(L.v, xn, v, kvDim, H, L.vBias);
      if (L.qNorm) for (let h = 0; h < nh; h++) rmsNorm(q, L.qNorm, q, hd, eps, h * hd, h * hd);
      if (L.kNorm) for (let h = 0; h < nkv; h++) rmsNorm(k, L.kNorm, k, hd, eps, h * hd, h * hd);
      applyRope(q, nh, hd, 0, rope, interleaved);
      applyRope(k, nkv, hd, 0, rope, interleaved);
      kc.set(k, slot * kvDim);
      vc.set(v, slot * kvDim);
      // Attention is permutation-invariant over cached slots (order lives in the rotations).
      attend(q, kc, vc, att, scores, acc, last, nh, hd, kvDim, group, scale);
      matvec(L.o, att, tmpH, H, qDim);
      for (let i = 0; i < H; i++) x[i] = (x[i] as number) + (tmpH[i] as number);
      rmsNorm(x, L.mlpNorm, xn, H, eps);
      const f = L.gate.length / H;
      matvec(L.gate, xn, g, f, H);
      matvec(L.up, xn, u, f, H);
      if (c.activation === 'silu') {
        for (let i = 0; i < f; i++) {
          const a = g[i] as number;
          g[i] = (a / (1 + Math.exp(-a))) * (u[i] as number);
        }
      } else {
        for (let i = 0; i < f; i++) {
          const a = g[i] as number;
          const t = Math.tanh(SQRT_2_OVER_PI * (a + 0.044715 * a * a * a));
          g[i] = 0.5 * a * (1 + t) * (u[i] as number);
        }
      }
      matvec(L.down, g, tmpH, H, f);
      for (let i = 0; i < H; i++) x[i] = (x[i] as number) + (tmpH[i] as number);
    }
    rmsNorm(x, w.finalNorm, xn, H, eps);
    matvec(w.lmHead, xn, logits, c.logitsSize, H);
    pos++;
    return logits;
  };

  return {
    weights: w,
    capacity,
    slides: slide,
    get position() {
      return pos;
    },
    step,
    prefill(tokens: ArrayLike<number>): Float32Array {
      if (tokens.length === 0)
        throw new EngineError('BAD_OPTIONS', 'prefill needs at least one token', {
          where: { field: 'tokens' },
        });
      if (!slide && pos + tokens.length > capacity) {
        throw new EngineError(
          'LIMIT_EXCEEDED',
          `${tokens.length} tokens at position ${pos} exceed the KV capacity ${capacity}`,
          { where: { field: 'tokens' } },
        );
      }
      for (let i = 0; i < tokens.length; i++) step(tokens[i] as number);
      return logits;
    },
    reset() {
      pos = 0;
    },
    rewind(n: number) {
      // After sliding, slots hold later positions: older ones are gone for good.
      if (!Number.isInteger(n) || n < 0 || n > pos || (pos > capacity && n < pos)) {
        throw new EngineError('BAD_OPTIONS', `cannot rewind to ${n} from position ${pos}`, {
          where: { field: 'position' },
        });
      }
      pos = n;
    },
  };
}
