/**
 * Sampling: a specified seedable RNG, and the logits → candidate distribution pipeline in the
 * order Hugging Face `generate` and vLLM apply it (temperature, then top-k, then top-p).
 */
import { EngineError } from './errors.js';

/** A seedable pseudo-random generator (not for secrets: keys come from the PRF). */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
}

const M64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea, Flood 2014), used only to expand a seed into generator state. */
function splitmix64(state: bigint): [bigint, bigint] {
  const s = (state + 0x9e3779b97f4a7c15n) & M64;
  let z = s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return [s, z ^ (z >> 31n)];
}

/**
 * xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018),
 * state seeded from SplitMix64 of the seed, so the same seed gives the same stream in every
 * runtime. Seeds are integers in [0, 2^64) (numbers must be safe integers).
 */
export function createRng(seed: number | bigint): Rng {
  let s64: bigint;
  if (typeof seed === 'bigint') s64 = seed;
  else if (Number.isSafeInteger(seed)) s64 = BigInt(seed);
  else
    throw new EngineError('BAD_OPTIONS', `seed ${seed} is not a safe integer`, {
      where: { field: 'seed' },
    });
  s64 &= M64;
  const st = new Uint32Array(4);
  const [s1, a] = splitmix64(s64);
  const [, b] = splitmix64(s1);
  st[0] = Number(a & 0xffffffffn);
  st[1] = Number(a >> 32n);
  st[2] = Number(b & 0xffffffffn);
  st[3] = Number(b >> 32n);
  if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
  const nextU32 = (): number => {
    const s0 = st[0] as number;
    const s1 = st[1] as number;
    const s2 = st[2] as number;
    const s3 = st[3] as number;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    st[1] = s1 ^ n2;
    st[0] = s0 ^ n3;
    st[2] = n2 ^ t;
    st[3] = (n3 << 11) | (n3 >>> 21);
    return result;
  };
  return {
    nextU32,
    nextFloat(): number {
      const hi = nextU32() >>> 5;
      const lo = nextU32() >>> 6;
      return (hi * 67108864 + lo) / 9007199254740992;
    },
  };
}

/** Sampling options. Defaults: temperature 1, no top-k, no top-p. */
export interface SamplingOptions {
  /** Softmax temperature; 0 means greedy (argmax). */
  readonly temperature?: number;
  /** Keep the k most likely tokens (0 or absent: all). */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose mass reaches p (1 or absent: all). */
  readonly topP?: number;
}

/** Validate sampling options, naming the bad field. */
export function checkSampling(o: SamplingOptions): void {
  const t = o.temperature ?? 1;
  if (!Number.isFinite(t) || t < 0 || t > 100)
    throw new EngineError('BAD_OPTIONS', `temperature ${t} must be in [0, 100]`, {
      where: { field: 'temperature' },
    });
  const k = o.topK ?? 0;
  if (!Number.isInteger(k) || k < 0)
    throw new EngineError('BAD_OPTIONS', `topK ${k} must be a non-negative integer`, {
      where: { field: 'topK' },
    });
  const p = o.topP ?? 1;
  if (!(p > 0 && p <= 1))
    throw new EngineError('BAD_OPTIONS', `topP ${p} must be in (0, 1]`, {
      where: { field: 'topP' },
    });
}

/**
 * Candidate tokens with their sampling probabilities (normalised over the candidates). Buffers
 * are sized for the whole vocabulary and reused step after step; only `[0, size)` is valid.
 * Candidates are sorted by decreasing probability when top-k or top-p truncated the
 * vocabulary, and in id order otherwise.
 */
export interface TokenDistribution {
  readonly ids: Int32Array;
  readonly probs: Float64Array;
  size: number;
  /** True when temperature was 0: the single candidate is the argmax (no randomness to key). */
  greedy: boolean;
}

/** Allocate a distribution for a vocabulary of `n` logits. */
export function createDistribution(n: number): TokenDistribution {
  return { ids: new Int32Array(n), probs: new Float64Array(n), size: 0, greedy: false };
}

function siftDown(heap: Int32Array, n: number, i: number, key: Float32Array): void {
  const v = heap[i] as number;
  const kv = key[v] as number;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    const r = c + 1;
    if (r < n && (key[heap[r] as number] as number) > (key[heap[c] as number] as number)) c = r;
    if ((key[heap[c] as number] as number) <= kv) break;
    heap[i] = heap[c] as number;
    i = c;
  }
  heap[i] = v;
}

/**
 * Turn logits into the sampling distribution: divide by temperature, keep the top-k, then the
 * top-p nucleus (Holtzman et al. 2020), renormalise. Only ids `< vocabLimit` are candidates (a
 * model's logits may be wider than its tokenizer). Allocation-free given `scratch` of the
 * vocabulary's size.
 */
export function toDistribution(
  logits: Float32Array,
  opts: SamplingOptions,
  out: TokenDistribution,
  scratch: Int32Array,
  vocabLimit: number = logits.length,
): TokenDistribution {
  const V = Math.min(vocabLimit, logits.length);
  const T = opts.temperature ?? 1;
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  if (T === 0) {
    let best = 0;
    let bv = -Infinity;
    for (let i = 0; i < V; i++) {
      const l = logits[i] as number;
      if (l > bv) {
        bv = l;
        best = i;
      }
    }
    out.ids[0] = best;
    out.probs[0] = 1;
    out.size = 1;
    out.greedy = true;
    return out;
  }
  out.greedy = false;
  let max = -Infinity;
  for (let i = 0; i < V; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  const invT = 1 / T;
  if (topK === 0 && topP >= 1) {
    let sum = 0;
    for (let i = 0; i < V; i++) {
      const e = Math.exp(((logits[i] as number) - max) * invT);
      out.ids[i] = i;
      out.probs[i] = e;
      sum += e;
    }
    for (let i = 0; i < V; i++) out.probs[i] = (out.probs[i] as number) / sum;
    out.size = V;
    return out;
  }
  // Max-heap of ids by logit, then pop in decreasing order: O(V + m log V) for m kept tokens.
  let total = 0;
  for (let i = 0; i < V; i++) {
    scratch[i] = i;
    total += Math.exp(((logits[i] as number) - max) * invT);
  }
  for (let i = (V >> 1) - 1; i >= 0; i--) siftDown(scratch, V, i, logits);
  const kMax = topK > 0 ? Math.min(topK, V) : V;
  // With top-k, the nucleus is taken within the renormalised top-k (HF applies top-p after top-k).
  let denom = total;
  if (topK > 0 && topK < V) {
    // Pop the top k once to get their mass, then restore the order from out.ids.
    let n = V;
    let m = 0;
    while (m < kMax) {
      const id = scratch[0] as number;
      out.ids[m] = id;
      out.probs[m] = Math.exp(((logits[id] as number) - max) * invT);
      m++;
      n--;
      scratch[0] = scratch[n] as number;
      siftDown(scratch, n, 0, logits);
    }
    denom = 0;
    for (let i = 0; i < m; i++) denom += out.probs[i] as number;
    let keep = m;
    if (topP < 1) {
      let cum = 0;
      for (let i = 0; i < m; i++) {
        cum += (out.probs[i] as number) / denom;
        if (cum >= topP) {
          keep = i + 1;
          break;
        }
      }
    }
    let s = 0;
    for (let i = 0; i < keep; i++) s += out.probs[i] as number;
    for (let i = 0; i < keep; i++) out.probs[i] = (out.probs[i] as number) / s;
    out.size = keep;
    return out;
  }
  let n = V;
  let m = 0;
  let cum = 0;
  while (n > 0) {
    const id = scratch[0] as number;
    const e = Math.exp(((logits[id] as number) - max) * invT);
    out.ids[m] = id;
    out.probs[m] = e;
    m++;
    cum += e / denom;
    n--;
    scratch[0] = scratch[n] as number;
    siftDown(scratch, n, 0, logits);
    if (cum >= topP) break;
  }
  let s = 0;
  for (let i = 0; i < m; i++) s += out.probs[i] as number;
  for (let i = 0; i < m; i++) out.probs[i] = (out.probs[i] as number) / s;
  out.size = m;
  return out;
}

/** Draw a token by inverse CDF with one uniform from `rng`. */
export function sampleFrom(d: TokenDistribution, rng: Rng): number {
  const u = rng.nextFloat();
  let cum = 0;
  for (let i = 0; i < d.size; i++) {
    cum += d.probs[i] as number;
    if (u < cum) return d.ids[i] as number;
  }
  return d.ids[d.size - 1] as number;
}

/** Natural-log softmax of `logits[0, n)` into `out` (float64 for exact scoring). */
export function logSoftmax(
  logits: Float32Array,
  out: Float64Array,
  n: number = logits.length,
): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp((logits[i] as number) - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = (logits[i] as number) - lse;
}
