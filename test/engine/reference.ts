/**
 * An independent float64 reference for the engine: whole-sequence forward pass with explicit
 * causal masking, no KV cache, no typed-array reuse, RoPE by explicit 2×2 rotation of the pairs
 * the layout names. Written separately from src/engine so that a shared mistake is unlikely.
 */
import type { ModelView, TensorRef } from '../../src/model/index.js';

type Mat = number[][]; // rows of float64

async function mat(view: ModelView, ref: TensorRef | undefined, raw = false): Promise<Mat> {
  if (!ref) throw new Error('missing tensor');
  let r = ref;
  if (raw) {
    const { unpermuteHeads: _u, ...rest } = ref;
    r = rest;
  }
  const flat = await view.readRef(r);
  const rows: Mat = [];
  for (let i = 0; i < r.rows; i++)
    rows.push(Array.from(flat.subarray(i * r.cols, (i + 1) * r.cols)));
  return rows;
}

async function vec(view: ModelView, ref: TensorRef | undefined): Promise<number[]> {
  if (!ref) throw new Error('missing vector');
  return Array.from(await view.readRef(ref));
}

function linear(W: Mat, x: number[], b?: number[] | null): number[] {
  return W.map((row, i) => row.reduce((s, w, j) => s + w * (x[j] ?? 0), 0) + (b ? (b[i] ?? 0) : 0));
}

function rms(x: number[], w: number[], eps: number): number[] {
  const ms = x.reduce((s, v) => s + v * v, 0) / x.length;
  const inv = 1 / Math.sqrt(ms + eps);
  return x.map((v, i) => v * inv * (w[i] ?? 0));
}

/** Pairs of dimensions a RoPE layout rotates together, each with its frequency index. */
function ropePairs(d: number, layout: 'half' | 'interleaved'): [number, number, number][] {
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < d / 2; i++)
    pairs.push(layout === 'half' ? [i, i + d / 2, i] : [2 * i, 2 * i + 1, i]);
  return pairs;
}

function rotate(v: number[], pos: number, theta: number, layout: 'half' | 'interleaved'): number[] {
  const d = v.length;
  const out = [...v];
  for (const [a, b, i] of ropePairs(d, layout)) {
    const ang = pos * Math.pow(theta, -(2 * i) / d);
    // [a'; b'] = [[cos, −sin], [sin, cos]] [a; b]
    const R = [
      [Math.cos(ang), -Math.sin(ang)],
      [Math.sin(ang), Math.cos(ang)],
    ];
    const va = v[a] ?? 0;
    const vb = v[b] ?? 0;
    out[a] = (R[0]?.[0] ?? 0) * va + (R[0]?.[1] ?? 0) * vb;
    out[b] = (R[1]?.[0] ?? 0) * va + (R[1]?.[1] ?? 0) * vb;
  }
  return out;
}

/** Options of the reference forward pass. */
export interface ReferenceOptions {
  readonly layout?: 'half' | 'interleaved';
  /** Read GGUF Q/K rows as stored (llama.cpp layout). */
  readonly rawQk?: boolean;
  /** Sliding-window attention: position t sees positions (t − window, t]. */
  readonly window?: number;
}

/** Logits (float64) at every position of `tokens`, computed naively from the model view. */
export async function referenceLogits(
  view: ModelView,
  tokens: readonly number[],
  opts: ReferenceOptions = {},
): Promise<number[][]> {
  const c = view.config;
  const layout = opts.layout ?? 'half';
  const E = await mat(view, view.roles.embedding);
  const head = view.roles.lmHeadTied ? E : await mat(view, view.roles.lmHead);
  const fin = await vec(view, view.roles.finalNorm);
  const hd = c.headDim;
  const gelu = c.hiddenAct.startsWith('gelu');
  let X: number[][] = tokens.map((t) => (E[t] ?? []).map((v) => v * c.embeddingScale));
  for (const L of view.roles.layers) {
    const Wq = await mat(view, L.q, opts.rawQk);
    const Wk = await mat(view, L.k, opts.rawQk);
    const Wv = await mat(view, L.v);
    const Wo = await mat(view, L.o);
    const an = await vec(view, L.attnNorm);
    const mn = await vec(view, L.mlpNorm);
    const qb = L.qBias ? await vec(view, L.qBias) : null;
    const kb = L.kBias ? await vec(view, L.kBias) : null;
    const vb = L.vBias ? await vec(view, L.vBias) : null;
    const qn = L.qNorm ? await vec(view, L.qNorm) : null;
    const kn = L.kNorm ? await vec(view, L.kNorm) : null;
    const G = await mat(view, L.gate);
    const U = await mat(view, L.up);
    const D = await mat(view, L.down);
    const heads = (M: number[], n: number): number[][] =>
      Array.from({ length: n }, (_, h) => M.slice(h * hd, (h + 1) * hd));
    const Q: number[][][] = [];
    const K: number[][][] = [];
    const V: number[][][] = [];
    X.forEach((x, t) => {
      const h = rms(x, an, c.rmsNormEps);
      let qs = heads(linear(Wq, h, qb), c.numHeads);
      let ks = heads(linear(Wk, h, kb), c.numKvHeads);
      if (qn) qs = qs.map((q) => rms(q, qn, c.rmsNormEps));
      if (kn) ks = ks.map((k) => rms(k, kn, c.rmsNormEps));
      Q.push(qs.map((q) => rotate(q, t, c.ropeTheta, layout)));
      K.push(ks.map((k) => rotate(k, t, c.ropeTheta, layout)));
      V.push(heads(linear(Wv, h, vb), c.numKvHeads));
    });
    const T = X.length;
    const rep = c.numHeads / c.numKvHeads;
    X = X.map((x, t) => {
      const concat: number[] = [];
      for (let h = 0; h < c.numHeads; h++) {
        const g = Math.floor(h / rep);
        const q = Q[t]?.[h] ?? [];
        // full row of scores with a causal mask, then softmax
        const sc = Array.from({ length: T }, (_, s) =>
          s > t || s <= t - (opts.window ?? Infinity)
            ? -Infinity
            : q.reduce((acc, v, i) => acc + v * (K[s]?.[g]?.[i] ?? 0), 0) / Math.sqrt(hd),
        );
        const m = Math.max(...sc);
        const ex = sc.map((v) => Math.exp(v - m));
        const z = ex.reduce((a, b) => a + b, 0);
        const o = new Array<number>(hd).fill(0);
        for (let s = 0; s < T; s++)
          for (let i = 0; i < hd; i++)
            o[i] = (o[i] ?? 0) + ((ex[s] ?? 0) / z) * (V[s]?.[g]?.[i] ?? 0);
        concat.push(...o);
      }
      const attnOut = linear(Wo, concat);
      const x1 = x.map((v, i) => v + (attnOut[i] ?? 0));
      const h2 = rms(x1, mn, c.rmsNormEps);
      const gv = linear(G, h2);
      const uv = linear(U, h2);
      const act = gv.map((a, i) => {
        const f = gelu
          ? 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a ** 3)))
          : a / (1 + Math.exp(-a));
        return f * (uv[i] ?? 0);
      });
      const dv = linear(D, act);
      return x1.map((v, i) => v + (dv[i] ?? 0));
    });
  }
  return X.map((x) => linear(head, rms(x, fin, c.rmsNormEps)));
}

/** log-softmax in float64. */
export function refLogSoftmax(l: readonly number[]): number[] {
  const m = Math.max(...l);
  const lse = m + Math.log(l.reduce((s, v) => s + Math.exp(v - m), 0));
  return l.map((v) => v - lse);
}
