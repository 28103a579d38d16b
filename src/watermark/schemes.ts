/**
 * Scheme parameters and the keyed per-token functions shared by generation and detection.
 *
 * - Gumbel-max (Aaronson 2022; Fernandez et al., "Three Bricks", 2023): the token is
 *   argmax_v u_v^{1/p_v} with u_v = PRF(window, v); score −ln(1 − u) ~ Exp(1) under H0.
 *   Dual key: a keyed coin on the window picks key B with probability α, else key A
 *   (a second, e.g. per-tenant, key; speculative decoding can share the coin).
 * - KGW (Kirchenbauer et al., ICML 2023; "On the Reliability of Watermarks", ICLR 2024): token v is
 *   green when PRF(…, v) < γ; δ is added to green logits. LeftHash: the PRF input is the h
 *   previous tokens and v. SelfHash (their "algorithm-3", anchored min-hash): the context is the
 *   single token of window ∪ {v} with the smallest keyed hash, so edits elsewhere in the window do
 *   not change the green list.
 * - SynthID-Text (Dathathri et al., Nature 2024): m tournament layers with g_l(window, v) ∈ {0,1}
 *   (bit l of the PRF output); the vectorised 2-candidate tournament reweights
 *   p ← p · (1 + g_l − E_p[g_l]) layer by layer (non-distortionary).
 */
import { WatermarkError } from './errors.js';
import {
  createPrf,
  MAX_CONTEXT_WIDTH,
  MAX_PRF_TOKEN,
  packMessage,
  uniformAt,
  bitAt,
  type Prf,
  type PrfKind,
} from './prf.js';
import type { WatermarkKey } from './keys.js';

/** Scheme names. */
export type SchemeName = 'gumbel' | 'kgw' | 'synthid';

/** Gumbel-max parameters. */
export interface GumbelParams {
  readonly scheme: 'gumbel';
  /** Context width h (default 4, as vLLM / SGLang / TensorRT-LLM ship it). */
  readonly contextWidth: number;
  /** Use a second key on a keyed fraction α of contexts. */
  readonly dualKey: boolean;
  /** Probability that the coin selects key B (default 0.1). */
  readonly alpha: number;
}

/** KGW parameters. */
export interface KgwParams {
  readonly scheme: 'kgw';
  readonly seeding: 'lefthash' | 'selfhash';
  /** Context width h (default 1 for LeftHash, 4 for SelfHash). */
  readonly contextWidth: number;
  /** Green fraction γ (default 0.25). */
  readonly gamma: number;
  /** Logit bias δ for green tokens (default 2). */
  readonly delta: number;
}

/** SynthID-Text parameters. */
export interface SynthIdParams {
  readonly scheme: 'synthid';
  /** Context width h = ngram_len − 1 (default 4). */
  readonly contextWidth: number;
  /** Tournament layers m (default 30). */
  readonly depth: number;
  /** Detection: weight early layers more (linspace(10, 1, m), normalised), Chernoff-bounded. */
  readonly weighted: boolean;
}

/** Any scheme's parameters, plus the PRF. */
export type SchemeParams = (GumbelParams | KgwParams | SynthIdParams) & {
  readonly prf: PrfKind;
};

/** Largest SynthID depth (bits of one PRF output). */
export const MAX_SYNTHID_DEPTH = 64;

function num(v: unknown, field: string, lo: number, hi: number, int = false): number {
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < lo ||
    v > hi ||
    (int && !Number.isInteger(v))
  )
    throw new WatermarkError(
      'BAD_PARAMS',
      `${field} ${JSON.stringify(v)} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]`,
      {
        where: { field },
      },
    );
  return v;
}

/** Fill defaults and validate. Unknown fields are errors (a typo must not silently change a key's meaning). */
export function normalizeParams(raw: Readonly<Record<string, unknown>>): SchemeParams {
  const scheme = raw['scheme'];
  const prf = raw['prf'] ?? 'aes';
  if (prf !== 'aes' && prf !== 'hmac')
    throw new WatermarkError('BAD_PARAMS', `prf must be "aes" or "hmac"`, {
      where: { field: 'prf' },
    });
  const allowed: Record<string, string[]> = {
    gumbel: ['scheme', 'prf', 'contextWidth', 'dualKey', 'alpha'],
    kgw: ['scheme', 'prf', 'seeding', 'contextWidth', 'gamma', 'delta'],
    synthid: ['scheme', 'prf', 'contextWidth', 'depth', 'weighted'],
  };
  const fields = typeof scheme === 'string' ? allowed[scheme] : undefined;
  if (!fields)
    throw new WatermarkError(
      'BAD_PARAMS',
      `scheme must be gumbel, kgw or synthid, got ${JSON.stringify(scheme)}`,
      {
        where: { field: 'scheme' },
      },
    );
  for (const k of Object.keys(raw))
    if (raw[k] !== undefined && !fields.includes(k))
      throw new WatermarkError('BAD_PARAMS', `unknown parameter "${k}" for ${String(scheme)}`, {
        where: { field: k },
      });
  const h = (d: number): number =>
    num(raw['contextWidth'] ?? d, 'contextWidth', 1, MAX_CONTEXT_WIDTH, true);
  if (scheme === 'gumbel') {
    const dualKey = raw['dualKey'] === true;
    return {
      scheme,
      prf,
      contextWidth: h(4),
      dualKey,
      alpha: num(raw['alpha'] ?? 0.1, 'alpha', 0, 1),
    };
  }
  if (scheme === 'kgw') {
    const seeding = raw['seeding'] ?? 'selfhash';
    if (seeding !== 'lefthash' && seeding !== 'selfhash')
      throw new WatermarkError('BAD_PARAMS', 'seeding must be lefthash or selfhash', {
        where: { field: 'seeding' },
      });
    return {
      scheme,
      prf,
      seeding,
      contextWidth: h(seeding === 'lefthash' ? 1 : 4),
      gamma: num(raw['gamma'] ?? 0.25, 'gamma', 1e-6, 1 - 1e-6),
      delta: num(raw['delta'] ?? 2, 'delta', 0, 100),
    };
  }
  return {
    scheme: 'synthid',
    prf,
    contextWidth: h(4),
    depth: num(raw['depth'] ?? 30, 'depth', 1, MAX_SYNTHID_DEPTH, true),
    weighted: raw['weighted'] === true,
  };
}

/** A short, stable description of the parameters (recorded in verdicts and ledgers). */
export function describeParams(p: SchemeParams): string {
  switch (p.scheme) {
    case 'gumbel':
      return `gumbel h=${p.contextWidth}${p.dualKey ? ` dual α=${p.alpha}` : ''} prf=${p.prf}`;
    case 'kgw':
      return `kgw ${p.seeding} h=${p.contextWidth} γ=${p.gamma} δ=${p.delta} prf=${p.prf}`;
    case 'synthid':
      return `synthid h=${p.contextWidth} m=${p.depth}${p.weighted ? ' weighted' : ''} prf=${p.prf}`;
  }
}

/** Detection weights of SynthID layers: linspace(10, 1, m) scaled to sum m (as the reference). */
export function synthidWeights(m: number): Float64Array {
  const w = new Float64Array(m);
  for (let l = 0; l < m; l++) w[l] = m === 1 ? 1 : 10 - (9 * l) / (m - 1);
  const s = w.reduce((a, b) => a + b, 0);
  for (let l = 0; l < m; l++) w[l] = ((w[l] as number) * m) / s;
  return w;
}

/**
 * The keyed functions of one scheme under one key: how to build the PRF message for
 * (window, token) and how to turn PRF outputs into per-token scores.
 */
export interface KeyedScheme {
  readonly params: SchemeParams;
  readonly key: WatermarkKey;
  /** Context tokens needed before a scored position. */
  readonly contextWidth: number;
  /** Bytes of one effective message (the dedup unit). */
  readonly messageBytes: number;
  /** Write the effective PRF message for (window = seq[i−h, i), token v) at `off`. */
  pack(buf: Uint8Array, off: number, seq: ArrayLike<number>, i: number, v: number): void;
  /**
   * Per-token scores of `count` packed messages: Gumbel −ln(1−u), KGW 0/1 green, SynthID the
   * (weighted) sum of its layer bits. NaN marks a position this key cannot score (dual key
   * without the secondary key).
   */
  score(msgs: Uint8Array, count: number, out: Float64Array): void;
  /** Raw values for generation: Gumbel u (per key chosen by the coin), KGW green, SynthID bits. */
  readonly prf: Prf;
}

/** Options of {@link keyedScheme}. */
export interface KeyedSchemeOptions {
  readonly params: SchemeParams;
  readonly key: WatermarkKey;
  /** Gumbel dual key: key B. Without it, detection scores only the coin's key-A positions. */
  readonly secondaryKey?: WatermarkKey | null;
  /** Vocabulary size (ids must be < 2^24); SelfHash precomputes its token ranks over it. */
  readonly vocabSize: number;
}

/** Domain string of a scheme's main PRF. */
export function prfDomain(p: SchemeParams): string {
  switch (p.scheme) {
    case 'gumbel':
      return `gumbel:h=${p.contextWidth}`;
    case 'kgw':
      return `kgw-${p.seeding}:h=${p.contextWidth}`;
    case 'synthid':
      return `synthid:h=${p.contextWidth}`;
  }
}

/** Bind a scheme to a key. */
export function keyedScheme(o: KeyedSchemeOptions): KeyedScheme & KeyedExtras {
  const p = o.params;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < 1 || o.vocabSize > MAX_PRF_TOKEN + 1)
    throw new WatermarkError(
      'TOKENIZER_MISMATCH',
      `vocabulary of ${o.vocabSize} ids does not fit the PRF (< 2^24)`,
      {
        where: { field: 'vocabSize' },
      },
    );
  const h = p.contextWidth;
  const main = createPrf(
    o.key,
    prfDomain(p),
    p.scheme === 'kgw' && p.seeding === 'selfhash' ? 1 : h,
    p.prf,
  );
  if (p.scheme === 'kgw' && p.seeding === 'selfhash') {
    // Keyed token ranks for the anchored min-hash, one batched evaluation over the vocabulary.
    const rankPrf = createPrf(o.key, `kgw-minhash:h=${h}`, 0, p.prf);
    const V = o.vocabSize;
    const msgs = new Uint8Array(V * rankPrf.messageBytes);
    const none: number[] = [];
    for (let v = 0; v < V; v++) packMessage(msgs, v * rankPrf.messageBytes, 0, none, 0, v);
    const out = rankPrf.evaluate(msgs, V);
    const rank = new Float64Array(V);
    for (let v = 0; v < V; v++) rank[v] = uniformAt(out, v);
    const ctx = [0];
    const gamma = p.gamma;
    const anchor = (seq: ArrayLike<number>, i: number, v: number): number => {
      let best = v;
      let br = rank[v] as number;
      for (let j = i - h; j < i; j++) {
        const t = seq[j] as number;
        const r = rank[t] as number;
        if (r < br || (r === br && t < best)) {
          br = r;
          best = t;
        }
      }
      return best;
    };
    return {
      params: p,
      key: o.key,
      contextWidth: h,
      messageBytes: main.messageBytes,
      prf: main,
      anchor,
      pack(buf, off, seq, i, v) {
        ctx[0] = anchor(seq, i, v);
        packMessage(buf, off, 1, ctx, 0, v);
      },
      score(msgs, count, out2) {
        const r = main.evaluate(msgs, count);
        for (let k = 0; k < count; k++) out2[k] = uniformAt(r, k) < gamma ? 1 : 0;
      },
    };
  }
  const base = {
    params: p,
    key: o.key,
    contextWidth: h,
    messageBytes: main.messageBytes,
    prf: main,
    anchor: (_s: ArrayLike<number>, _i: number, v: number) => v,
    pack(buf: Uint8Array, off: number, seq: ArrayLike<number>, i: number, v: number) {
      packMessage(buf, off, h, seq, i - h, v);
    },
  };
  if (p.scheme === 'kgw') {
    const gamma = p.gamma;
    return {
      ...base,
      score(msgs, count, out) {
        const r = main.evaluate(msgs, count);
        for (let k = 0; k < count; k++) out[k] = uniformAt(r, k) < gamma ? 1 : 0;
      },
    };
  }
  if (p.scheme === 'synthid') {
    const m = p.depth;
    const w = p.weighted ? synthidWeights(m) : null;
    return {
      ...base,
      score(msgs, count, out) {
        const r = main.evaluate(msgs, count);
        for (let k = 0; k < count; k++) {
          let s = 0;
          for (let l = 0; l < m; l++) s += bitAt(r, k, l) * (w ? (w[l] as number) : 1);
          out[k] = s;
        }
      },
    };
  }
  // Gumbel, single or dual key.
  if (!p.dualKey) {
    return {
      ...base,
      score(msgs, count, out) {
        const r = main.evaluate(msgs, count);
        for (let k = 0; k < count; k++) out[k] = -Math.log1p(-uniformAt(r, k));
      },
    };
  }
  const coin = createPrf(o.key, `gumbel-coin:h=${h}`, h, p.prf);
  const second = o.secondaryKey ? createPrf(o.secondaryKey, prfDomain(p), h, p.prf) : null;
  const alpha = p.alpha;
  return {
    ...base,
    coin,
    second,
    score(msgs, count, out) {
      const ra = main.evaluate(msgs, count);
      const ua = new Float64Array(count);
      for (let k = 0; k < count; k++) ua[k] = uniformAt(ra, k);
      const rb = second ? second.evaluate(msgs, count) : null;
      const coinMsgs = Uint8Array.from(msgs.subarray(0, count * main.messageBytes));
      for (let k = 0; k < count; k++) zeroToken(coinMsgs, k * main.messageBytes, h);
      const rc = coin.evaluate(coinMsgs, count);
      for (let k = 0; k < count; k++) {
        const useB = uniformAt(rc, k) < alpha;
        if (!useB) out[k] = -Math.log1p(-(ua[k] as number));
        else out[k] = rb ? -Math.log1p(-uniformAt(rb, k)) : NaN;
      }
    },
  };
}

/** Extra hooks some schemes expose to the generator. */
export interface KeyedExtras {
  /** SelfHash: the anchor token of window ∪ {v}; identity (v) otherwise. */
  anchor(seq: ArrayLike<number>, i: number, v: number): number;
  /** Dual-key Gumbel: the coin PRF (message with token 0) and key B's PRF. */
  readonly coin?: Prf;
  readonly second?: Prf | null;
}

/** Replace the token of a packed message by 0 (the coin depends on the window only). */
export function zeroToken(buf: Uint8Array, off: number, h: number): void {
  const p = off + 1 + 3 * h;
  buf[p] = 0;
  buf[p + 1] = 0;
  buf[p + 2] = 0;
}
