/**
 * A small training loop for the engine's Llama models: next-token cross-entropy, manual
 * backpropagation through RMSNorm, RoPE, grouped-query causal attention and the SwiGLU MLP, and
 * AdamW (Loshchilov & Hutter 2019) with global-norm gradient clipping. Meant for tiny models
 * (the zoo's) on one CPU core: it is what makes the radioactivity experiment reproducible
 * without PyTorch. Activations and gradients are float64, weights stay float32.
 *
 * Supported: the models `loadWeights` reads without biases, q/k norms or embedding scaling
 * (llama, mistral), SiLU activation. Others are refused with `UNSUPPORTED_MODEL`.
 */
import { EngineError } from './errors.js';
import { createRng } from './sampling.js';
import type { LayerWeights, LlamaWeights } from './weights.js';

/** A deep copy of the weights (training mutates arrays in place). */
export function cloneWeights(w: LlamaWeights): LlamaWeights {
  const c = (a: Float32Array): Float32Array => Float32Array.from(a);
  const co = (a: Float32Array | null): Float32Array | null => (a ? c(a) : null);
  const embedding = c(w.embedding);
  return {
    config: w.config,
    embedding,
    lmHead: w.lmHead === w.embedding ? embedding : c(w.lmHead),
    finalNorm: c(w.finalNorm),
    layers: w.layers.map((l): LayerWeights => ({
      attnNorm: c(l.attnNorm),
      q: c(l.q),
      k: c(l.k),
      v: c(l.v),
      o: c(l.o),
      qBias: co(l.qBias),
      kBias: co(l.kBias),
      vBias: co(l.vBias),
      qNorm: co(l.qNorm),
      kNorm: co(l.kNorm),
      mlpNorm: c(l.mlpNorm),
      gate: c(l.gate),
      up: c(l.up),
      down: c(l.down),
    })),
    source: `${w.source} (copy)`,
  };
}

/** Every trainable array once (tied embeddings appear once). */
export function parameters(w: LlamaWeights): Float32Array[] {
  const seen = new Set<Float32Array>();
  const out: Float32Array[] = [];
  const add = (a: Float32Array | null): void => {
    if (a && !seen.has(a)) {
      seen.add(a);
      out.push(a);
    }
  };
  add(w.embedding);
  add(w.lmHead);
  add(w.finalNorm);
  for (const l of w.layers)
    for (const a of [l.attnNorm, l.q, l.k, l.v, l.o, l.mlpNorm, l.gate, l.up, l.down]) add(a);
  return out;
}

function checkTrainable(w: LlamaWeights): void {
  const c = w.config;
  const bad =
    c.activation !== 'silu' ||
    c.embeddingScale !== 1 ||
    w.layers.some((l) => l.qBias || l.kBias || l.vBias || l.qNorm || l.kNorm);
  if (bad)
    throw new EngineError(
      'UNSUPPORTED_MODEL',
      'the trainer supports llama/mistral-style models (SiLU, no biases, no q/k norms, no embedding scale)',
    );
}

// Y[T×out] = X[T×in] · Wᵀ
function mm(X: Float64Array, W: Float32Array, T: number, inD: number, outD: number): Float64Array {
  const Y = new Float64Array(T * outD);
  const c4 = inD - (inD % 4);
  for (let t = 0; t < T; t++) {
    const xo = t * inD;
    for (let r = 0; r < outD; r++) {
      const wo = r * inD;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let c = 0;
      for (; c < c4; c += 4) {
        s0 += (X[xo + c] as number) * (W[wo + c] as number);
        s1 += (X[xo + c + 1] as number) * (W[wo + c + 1] as number);
        s2 += (X[xo + c + 2] as number) * (W[wo + c + 2] as number);
        s3 += (X[xo + c + 3] as number) * (W[wo + c + 3] as number);
      }
      for (; c < inD; c++) s0 += (X[xo + c] as number) * (W[wo + c] as number);
      Y[t * outD + r] = s0 + s1 + s2 + s3;
    }
  }
  return Y;
}

// dX[T×in] = dY[T×out] · W ; dW[out×in] += dYᵀ · X (two passes, each an axpy over contiguous rows)
function mmBack(
  dY: Float64Array,
  X: Float64Array,
  W: Float32Array,
  dW: Float64Array,
  T: number,
  inD: number,
  outD: number,
): Float64Array {
  const dX = new Float64Array(T * inD);
  for (let t = 0; t < T; t++) {
    const xo = t * inD;
    for (let r = 0; r < outD; r++) {
      const g = dY[t * outD + r] as number;
      if (g === 0) continue;
      const wo = r * inD;
      for (let c = 0; c < inD; c++) dX[xo + c] = (dX[xo + c] as number) + g * (W[wo + c] as number);
    }
  }
  for (let r = 0; r < outD; r++) {
    const wo = r * inD;
    for (let t = 0; t < T; t++) {
      const g = dY[t * outD + r] as number;
      if (g === 0) continue;
      const xo = t * inD;
      for (let c = 0; c < inD; c++) dW[wo + c] = (dW[wo + c] as number) + g * (X[xo + c] as number);
    }
  }
  return dX;
}

interface NormCache {
  readonly x: Float64Array;
  readonly inv: Float64Array;
}

function rmsForward(
  X: Float64Array,
  w: Float32Array,
  T: number,
  D: number,
  eps: number,
): { y: Float64Array; cache: NormCache } {
  const y = new Float64Array(T * D);
  const inv = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let ss = 0;
    for (let i = 0; i < D; i++) ss += (X[t * D + i] as number) ** 2;
    const r = 1 / Math.sqrt(ss / D + eps);
    inv[t] = r;
    for (let i = 0; i < D; i++) y[t * D + i] = (X[t * D + i] as number) * r * (w[i] as number);
  }
  return { y, cache: { x: X, inv } };
}

function rmsBackward(
  dy: Float64Array,
  c: NormCache,
  w: Float32Array,
  dw: Float64Array,
  T: number,
  D: number,
): Float64Array {
  const dx = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    const r = c.inv[t] as number;
    let dot = 0;
    for (let i = 0; i < D; i++) {
      const g = dy[t * D + i] as number;
      const x = c.x[t * D + i] as number;
      dw[i] = (dw[i] as number) + g * x * r;
      dot += g * (w[i] as number) * x;
    }
    const k = (r * r * r * dot) / D;
    for (let i = 0; i < D; i++)
      dx[t * D + i] =
        r * (w[i] as number) * (dy[t * D + i] as number) - (c.x[t * D + i] as number) * k;
  }
  return dx;
}

function rope(
  M: Float64Array,
  T: number,
  heads: number,
  hd: number,
  theta: number,
  interleaved: boolean,
  sign: 1 | -1,
): void {
  const half = hd / 2;
  for (let t = 0; t < T; t++)
    for (let h = 0; h < heads; h++) {
      const o = (t * heads + h) * hd;
      for (let i = 0; i < half; i++) {
        const a = t / theta ** ((2 * i) / hd);
        const c = Math.cos(a);
        const s = sign * Math.sin(a);
        const ia = interleaved ? o + 2 * i : o + i;
        const ib = interleaved ? ia + 1 : ia + half;
        const x = M[ia] as number;
        const y = M[ib] as number;
        M[ia] = x * c - y * s;
        M[ib] = y * c + x * s;
      }
    }
}

/** Gradient buffers parallel to {@link parameters}. */
export type Gradients = Map<Float32Array, Float64Array>;

/** Zeroed gradient buffers for the weights. */
export function zeroGradients(w: LlamaWeights): Gradients {
  const g: Gradients = new Map();
  for (const p of parameters(w)) g.set(p, new Float64Array(p.length));
  return g;
}

/**
 * Forward and backward on one sequence (positions 0..T−1 predict 1..T). Adds the gradient of
 * the summed cross-entropy (natural log) to `grads` and returns (summed loss, targets).
 * `lossFrom` excludes the first targets from the loss (e.g. a prompt).
 */
export function sequenceGradient(
  w: LlamaWeights,
  tokens: readonly number[],
  grads: Gradients | null,
  lossFrom = 1,
): { loss: number; count: number } {
  checkTrainable(w);
  const c = w.config;
  const T = tokens.length - 1;
  if (T < 1) return { loss: 0, count: 0 };
  if (c.maxPositions !== null && T > c.maxPositions)
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `training sequence of ${T + 1} tokens exceeds the context ${c.maxPositions}`,
    );
  const H = c.hiddenSize;
  const nh = c.numHeads;
  const nkv = c.numKvHeads;
  const hd = c.headDim;
  const group = nh / nkv;
  const qD = nh * hd;
  const kvD = nkv * hd;
  const eps = c.rmsNormEps;
  const V = c.logitsSize;
  const inter = c.ropeLayout === 'interleaved';
  const scale = 1 / Math.sqrt(hd);
  for (const t of tokens)
    if (!Number.isInteger(t) || t < 0 || t >= c.vocabSize)
      throw new EngineError('BAD_TOKEN', `token id ${t} is outside [0, ${c.vocabSize})`);
  let X: Float64Array = new Float64Array(T * H);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < H; i++) X[t * H + i] = w.embedding[(tokens[t] as number) * H + i] as number;
  interface LayerCache {
    n1: NormCache;
    a: Float64Array;
    Q: Float64Array;
    K: Float64Array;
    Vv: Float64Array;
    P: Float64Array;
    att: Float64Array;
    n2: NormCache;
    b: Float64Array;
    G: Float64Array;
    U: Float64Array;
    Hh: Float64Array;
    f: number;
  }
  const caches: LayerCache[] = [];
  for (const L of w.layers) {
    const f = L.gate.length / H;
    const { y: a, cache: n1 } = rmsForward(X, L.attnNorm, T, H, eps);
    const Q = mm(a, L.q, T, H, qD);
    const K = mm(a, L.k, T, H, kvD);
    const Vv = mm(a, L.v, T, H, kvD);
    rope(Q, T, nh, hd, c.ropeTheta, inter, 1);
    rope(K, T, nkv, hd, c.ropeTheta, inter, 1);
    const P = new Float64Array(nh * T * T);
    const att = new Float64Array(T * qD);
    for (let h = 0; h < nh; h++) {
      const g = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        let max = -Infinity;
        const row = (h * T + t) * T;
        for (let s = 0; s <= t; s++) {
          let d = 0;
          for (let i = 0; i < hd; i++)
            d += (Q[t * qD + h * hd + i] as number) * (K[s * kvD + g * hd + i] as number);
          d *= scale;
          P[row + s] = d;
          if (d > max) max = d;
        }
        let z = 0;
        for (let s = 0; s <= t; s++) {
          const e = Math.exp((P[row + s] as number) - max);
          P[row + s] = e;
          z += e;
        }
        for (let s = 0; s <= t; s++) {
          const pr = (P[row + s] as number) / z;
          P[row + s] = pr;
          for (let i = 0; i < hd; i++)
            att[t * qD + h * hd + i] =
              (att[t * qD + h * hd + i] as number) + pr * (Vv[s * kvD + g * hd + i] as number);
        }
      }
    }
    const Y = mm(att, L.o, T, qD, H);
    const X1 = new Float64Array(T * H);
    for (let i = 0; i < T * H; i++) X1[i] = (X[i] as number) + (Y[i] as number);
    const { y: b, cache: n2 } = rmsForward(X1, L.mlpNorm, T, H, eps);
    const G = mm(b, L.gate, T, H, f);
    const U = mm(b, L.up, T, H, f);
    const Hh = new Float64Array(T * f);
    for (let i = 0; i < T * f; i++) {
      const gv = G[i] as number;
      Hh[i] = (gv / (1 + Math.exp(-gv))) * (U[i] as number);
    }
    const Dd = mm(Hh, L.down, T, f, H);
    const X2 = new Float64Array(T * H);
    for (let i = 0; i < T * H; i++) X2[i] = (X1[i] as number) + (Dd[i] as number);
    caches.push({ n1, a, Q, K, Vv, P, att, n2, b, G, U, Hh, f });
    X = X2;
  }
  const { y: fin, cache: nf } = rmsForward(X, w.finalNorm, T, H, eps);
  const logits = mm(fin, w.lmHead, T, H, V);
  let loss = 0;
  let count = 0;
  const dlogits = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    const target = tokens[t + 1] as number;
    let max = -Infinity;
    for (let v = 0; v < V; v++)
      if ((logits[t * V + v] as number) > max) max = logits[t * V + v] as number;
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp((logits[t * V + v] as number) - max);
    if (t + 1 < lossFrom) continue;
    loss += max + Math.log(z) - (logits[t * V + target] as number);
    count++;
    for (let v = 0; v < V; v++)
      dlogits[t * V + v] = Math.exp((logits[t * V + v] as number) - max) / z;
    dlogits[t * V + target] = (dlogits[t * V + target] as number) - 1;
  }
  if (!grads) return { loss, count };
  const gr = (a: Float32Array): Float64Array => grads.get(a) as Float64Array;
  const dfin = mmBack(dlogits, fin, w.lmHead, gr(w.lmHead), T, H, V);
  let dX = rmsBackward(dfin, nf, w.finalNorm, gr(w.finalNorm), T, H);
  for (let l = w.layers.length - 1; l >= 0; l--) {
    const L = w.layers[l] as LayerWeights;
    const C = caches[l] as LayerCache;
    const f = C.f;
    // MLP
    const dH = mmBack(dX, C.Hh, L.down, gr(L.down), T, f, H);
    const dG = new Float64Array(T * f);
    const dU = new Float64Array(T * f);
    for (let i = 0; i < T * f; i++) {
      const gv = C.G[i] as number;
      const sg = 1 / (1 + Math.exp(-gv));
      const silu = gv * sg;
      dU[i] = (dH[i] as number) * silu;
      dG[i] = (dH[i] as number) * (C.U[i] as number) * sg * (1 + gv * (1 - sg));
    }
    const db = mmBack(dG, C.b, L.gate, gr(L.gate), T, H, f);
    const db2 = mmBack(dU, C.b, L.up, gr(L.up), T, H, f);
    for (let i = 0; i < T * H; i++) db[i] = (db[i] as number) + (db2[i] as number);
    const dX1n = rmsBackward(db, C.n2, L.mlpNorm, gr(L.mlpNorm), T, H);
    const dX1 = new Float64Array(T * H);
    for (let i = 0; i < T * H; i++) dX1[i] = (dX[i] as number) + (dX1n[i] as number);
    // attention
    const datt = mmBack(dX1, C.att, L.o, gr(L.o), T, qD, H);
    const dQ = new Float64Array(T * qD);
    const dK = new Float64Array(T * kvD);
    const dV = new Float64Array(T * kvD);
    const dP = new Float64Array(T);
    for (let h = 0; h < nh; h++) {
      const g = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const row = (h * T + t) * T;
        let dot = 0;
        for (let s = 0; s <= t; s++) {
          let d = 0;
          for (let i = 0; i < hd; i++) {
            const dO = datt[t * qD + h * hd + i] as number;
            d += dO * (C.Vv[s * kvD + g * hd + i] as number);
            dV[s * kvD + g * hd + i] =
              (dV[s * kvD + g * hd + i] as number) + (C.P[row + s] as number) * dO;
          }
          dP[s] = d;
          dot += d * (C.P[row + s] as number);
        }
        for (let s = 0; s <= t; s++) {
          const dS = (C.P[row + s] as number) * ((dP[s] as number) - dot) * scale;
          if (dS === 0) continue;
          for (let i = 0; i < hd; i++) {
            dQ[t * qD + h * hd + i] =
              (dQ[t * qD + h * hd + i] as number) + dS * (C.K[s * kvD + g * hd + i] as number);
            dK[s * kvD + g * hd + i] =
              (dK[s * kvD + g * hd + i] as number) + dS * (C.Q[t * qD + h * hd + i] as number);
          }
        }
      }
    }
    // RoPE is a rotation: its gradient rotates back.
    rope(dQ, T, nh, hd, c.ropeTheta, inter, -1);
    rope(dK, T, nkv, hd, c.ropeTheta, inter, -1);
    const da = mmBack(dQ, C.a, L.q, gr(L.q), T, H, qD);
    const da2 = mmBack(dK, C.a, L.k, gr(L.k), T, H, kvD);
    const da3 = mmBack(dV, C.a, L.v, gr(L.v), T, H, kvD);
    for (let i = 0; i < T * H; i++)
      da[i] = (da[i] as number) + (da2[i] as number) + (da3[i] as number);
    const dXn = rmsBackward(da, C.n1, L.attnNorm, gr(L.attnNorm), T, H);
    dX = new Float64Array(T * H);
    for (let i = 0; i < T * H; i++) dX[i] = (dX1[i] as number) + (dXn[i] as number);
  }
  const dE = gr(w.embedding);
  for (let t = 0; t < T; t++) {
    const e = (tokens[t] as number) * H;
    for (let i = 0; i < H; i++) dE[e + i] = (dE[e + i] as number) + (dX[t * H + i] as number);
  }
  return { loss, count };
}

/** Options of {@link trainLanguageModel}. */
export interface TrainOptions {
  /** Token stream(s) to learn. Each is cut into windows of `seqLen` tokens. */
  readonly data: readonly (readonly number[])[];
  readonly seqLen?: number;
  readonly batchSize?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly weightDecay?: number;
  readonly clipNorm?: number;
  /** Shuffles the windows (default 0). */
  readonly seed?: number;
  /** Called after every optimizer step with the mean loss of the batch (nats/token). */
  readonly onStep?: (step: number, loss: number) => void;
}

/**
 * Train (fine-tune) the weights in place with AdamW on next-token prediction. Returns the mean
 * loss of each epoch. Deterministic for a given seed.
 */
export function trainLanguageModel(w: LlamaWeights, o: TrainOptions): number[] {
  checkTrainable(w);
  const seqLen = o.seqLen ?? Math.min(w.config.maxPositions ?? 128, 128);
  const batch = o.batchSize ?? 8;
  const epochs = o.epochs ?? 1;
  const lr = o.learningRate ?? 1e-3;
  const wd = o.weightDecay ?? 0;
  const clip = o.clipNorm ?? 1;
  if (!(seqLen >= 2) || !(batch >= 1) || !(epochs >= 1) || !(lr > 0))
    throw new EngineError(
      'BAD_OPTIONS',
      'seqLen ≥ 2, batchSize ≥ 1, epochs ≥ 1 and learningRate > 0 are required',
    );
  const windows: (readonly number[])[] = [];
  for (const d of o.data)
    for (let s = 0; s + 2 <= d.length; s += seqLen)
      windows.push(d.slice(s, Math.min(d.length, s + seqLen + 1)));
  const params = parameters(w);
  const grads = zeroGradients(w);
  const m = params.map((p) => new Float32Array(p.length));
  const v = params.map((p) => new Float32Array(p.length));
  const rng = createRng(o.seed ?? 0);
  const b1 = 0.9;
  const b2 = 0.999;
  let step = 0;
  const epochLoss: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = windows.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextU32() % (i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let eLoss = 0;
    let eCount = 0;
    for (let s = 0; s < order.length; s += batch) {
      for (const g of grads.values()) g.fill(0);
      let bl = 0;
      let bc = 0;
      for (let k = s; k < Math.min(order.length, s + batch); k++) {
        const r = sequenceGradient(w, windows[order[k] as number] as number[], grads);
        bl += r.loss;
        bc += r.count;
      }
      if (bc === 0) continue;
      let norm = 0;
      for (const g of grads.values())
        for (let i = 0; i < g.length; i++) norm += ((g[i] as number) / bc) ** 2;
      norm = Math.sqrt(norm);
      const f = (1 / bc) * (norm > clip ? clip / norm : 1);
      step++;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      params.forEach((p, pi) => {
        const g = grads.get(p) as Float64Array;
        const mm1 = m[pi] as Float32Array;
        const vv = v[pi] as Float32Array;
        for (let i = 0; i < p.length; i++) {
          const gi = (g[i] as number) * f;
          const mi = b1 * (mm1[i] as number) + (1 - b1) * gi;
          const vi = b2 * (vv[i] as number) + (1 - b2) * gi * gi;
          mm1[i] = mi;
          vv[i] = vi;
          p[i] =
            (p[i] as number) - lr * (mi / c1 / (Math.sqrt(vi / c2) + 1e-8) + wd * (p[i] as number));
        }
      });
      eLoss += bl;
      eCount += bc;
      o.onStep?.(step, bl / bc);
    }
    epochLoss.push(eCount > 0 ? eLoss / eCount : NaN);
  }
  return epochLoss;
}
