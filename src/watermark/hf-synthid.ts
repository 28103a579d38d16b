/**
 * A detector for text watermarked by Hugging Face transformers' SynthID-Text implementation
 * (`SynthIDTextWatermarkingConfig` → `SynthIDTextWatermarkLogitsProcessor`, transformers ≥ 4.46),
 * reproducing its g-values bit for bit and scoring them with an exact test instead of a trained
 * Bayesian classifier or a length-dependent mean threshold.
 *
 * transformers' g-value: h = 1; for each token d of the n-gram, h = (h + d)·6364136223846793005 + 1
 * (int64, wrapping); per layer key k, h_k = (h + k)·6364136223846793005 + 1;
 * g = table[h_k mod table_size] (floor modulo), where table = torch.randint(0, 2, (size,)) from
 * a CPU generator seeded with `sampling_table_seed` — MT19937 (Matsumoto & Nishimura 1998) with
 * `init_genrand(seed)`, one 32-bit draw per entry, value mod 2. Masks as in the processor: n-grams
 * whose context repeats one of the last `context_history_size` context hashes, and everything from
 * the first EOS on.
 *
 * The test: the g-function is a 2^16-entry table, not a PRF, so several (n-gram, layer) lookups
 * land on the same cell and are not independent. Each distinct cell is counted once, and the
 * count of ones among the N distinct cells hit is tested against Hypergeometric(size, ones in the
 * table, N) — exact under the assumption that, for text written without the keys, the cells hit
 * are a uniformly random subset of the table (what a secret, random key set gives).
 */
import { hypergeometricSf, toP } from '../stats/index.js';
import { WatermarkError } from './errors.js';

const MULT = 6364136223846793005n;
/** Largest sampling table accepted (transformers' default is 2^16). */
export const MAX_HF_TABLE = 1 << 24;
/** Most layer keys accepted. */
export const MAX_HF_KEYS = 1024;

/** The fields of transformers' `SynthIDTextWatermarkingConfig` the detector needs. */
export interface HfSynthIdConfig {
  readonly ngramLen: number;
  /** Layer keys (int64; strings in JSON keep values above 2^53 exact). */
  readonly keys: readonly bigint[];
  readonly contextHistorySize: number;
  readonly samplingTableSeed: number;
  readonly samplingTableSize: number;
}

/** Parse a config as `SynthIDTextWatermarkingConfig.to_dict()` / JSON writes it (snake_case). */
export function parseHfSynthIdConfig(raw: unknown, file = 'config'): HfSynthIdConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new WatermarkError('BAD_PARAMS', 'SynthID config must be a JSON object', {
      where: { file },
    });
  const o = raw as Record<string, unknown>;
  const int = (k: string, d: number | undefined, lo: number, hi: number): number => {
    const v = o[k] ?? d;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
      throw new WatermarkError('BAD_PARAMS', `${k} must be an integer in [${lo}, ${hi}]`, {
        where: { file, field: k },
      });
    return v;
  };
  const keysRaw = o['keys'];
  if (!Array.isArray(keysRaw) || keysRaw.length === 0 || keysRaw.length > MAX_HF_KEYS)
    throw new WatermarkError('BAD_PARAMS', `keys must be a list of 1–${MAX_HF_KEYS} integers`, {
      where: { file, field: 'keys' },
    });
  const keys = keysRaw.map((k, i) => {
    if (
      (typeof k === 'number' && Number.isSafeInteger(k)) ||
      (typeof k === 'string' && /^-?\d+$/.test(k))
    )
      return BigInt.asIntN(64, BigInt(k));
    throw new WatermarkError(
      'BAD_PARAMS',
      'keys must be integers (strings for values beyond 2^53)',
      { where: { file, field: `keys[${i}]` } },
    );
  });
  return {
    ngramLen: int('ngram_len', undefined, 2, 64),
    keys,
    contextHistorySize: int('context_history_size', 1024, 1, 1 << 20),
    samplingTableSeed: int('sampling_table_seed', 0, 0, 2 ** 32 - 1),
    samplingTableSize: int('sampling_table_size', 2 ** 16, 2, MAX_HF_TABLE),
  };
}

/** MT19937 with `init_genrand(seed)`: a generator of 32-bit outputs. */
export function mt19937(seed: number): () => number {
  const mt = new Uint32Array(624);
  mt[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
    // 1812433253 · prev + i (mod 2^32), split to stay exact in doubles
    mt[i] =
      (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) +
        (prev & 0x0000ffff) * 1812433253 +
        i) >>>
      0;
  }
  let idx = 624;
  return () => {
    if (idx >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = ((mt[k] as number) & 0x80000000) | ((mt[(k + 1) % 624] as number) & 0x7fffffff);
        mt[k] = (mt[(k + 397) % 624] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      idx = 0;
    }
    let y = mt[idx++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}

/** transformers' sampling table: `torch.randint(0, 2, (size,), generator=manual_seed(seed))` on CPU. */
export function hfSamplingTable(seed: number, size: number): Uint8Array {
  const next = mt19937(seed);
  const t = new Uint8Array(size);
  for (let i = 0; i < size; i++) t[i] = next() % 2;
  return t;
}

function acc(h: bigint, d: bigint): bigint {
  return BigInt.asIntN(64, BigInt.asIntN(64, (h + d) * MULT) + 1n);
}

/** Per position g-values and masks, aligned with tokens[ngramLen − 1 …]. */
export interface HfGValues {
  /** Number of n-grams (tokens.length − ngramLen + 1, or 0). */
  readonly count: number;
  /** Table cell of n-gram i, layer l at `cells[i · depth + l]`. */
  readonly cells: Int32Array;
  readonly g: Uint8Array;
  /** 1 where the processor would score the n-gram (first context occurrence, before EOS). */
  readonly mask: Uint8Array;
  readonly depth: number;
}

function floorMod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** Compute transformers' g-values and masks for a token sequence. */
export function hfGValues(
  cfg: HfSynthIdConfig,
  tokens: readonly number[],
  table: Uint8Array,
  eosId: number | null = null,
): HfGValues {
  const n = cfg.ngramLen;
  const depth = cfg.keys.length;
  const count = Math.max(0, tokens.length - n + 1);
  const cells = new Int32Array(count * depth);
  const g = new Uint8Array(count * depth);
  const mask = new Uint8Array(count);
  const size = BigInt(cfg.samplingTableSize);
  const history: bigint[] = new Array<bigint>(cfg.contextHistorySize).fill(0n);
  let head = 0; // ring buffer: history holds the last contextHistorySize context hashes (initially zeros)
  const firstEos = eosId === null ? -1 : tokens.indexOf(eosId);
  for (let i = 0; i < count; i++) {
    let ctx = 1n;
    for (let j = 0; j < n - 1; j++) ctx = acc(ctx, BigInt(tokens[i + j] as number));
    const h = acc(ctx, BigInt(tokens[i + n - 1] as number));
    for (let l = 0; l < depth; l++) {
      const cell = Number(floorMod(acc(h, cfg.keys[l] as bigint), size));
      cells[i * depth + l] = cell;
      g[i * depth + l] = table[cell] as number;
    }
    const repeated = history.includes(ctx);
    history[head] = ctx;
    head = (head + 1) % cfg.contextHistorySize;
    const pos = i + n - 1;
    mask[i] = !repeated && (firstEos < 0 || pos < firstEos) ? 1 : 0;
  }
  return { count, cells, g, mask, depth };
}

/** Result of {@link detectHfSynthId}. */
export interface HfSynthIdResult {
  readonly kind: 'customs.watermark.hf-synthid/v1';
  readonly verdict: 'watermarked' | 'not-detected' | 'insufficient-evidence';
  readonly pValue: number;
  readonly log10PValue: number;
  readonly alpha: number;
  /** transformers' mean g-value over masked positions (for comparison with its thresholds). */
  readonly meanG: number;
  readonly scoredNgrams: number;
  /** Distinct table cells among the scored lookups, and how many of them are 1. */
  readonly distinctCells: number;
  readonly onesInCells: number;
  /** Share of ones in the whole table (the null rate). */
  readonly tableOnes: number;
  readonly method: 'exact-hypergeometric';
  readonly limitations: readonly string[];
}

/** Detect transformers-SynthID watermarks in token ids. */
export function detectHfSynthId(o: {
  readonly tokens: readonly number[];
  readonly config: HfSynthIdConfig;
  readonly eosId?: number | null;
  readonly alpha?: number;
  readonly minScored?: number;
}): HfSynthIdResult {
  const cfg = o.config;
  const alpha = o.alpha ?? 1e-6;
  const table = hfSamplingTable(cfg.samplingTableSeed, cfg.samplingTableSize);
  let ones = 0;
  for (let i = 0; i < table.length; i++) ones += table[i] as number;
  const gv = hfGValues(cfg, o.tokens, table, o.eosId ?? null);
  const seen = new Set<number>();
  let hit = 0;
  let sumG = 0;
  let scored = 0;
  for (let i = 0; i < gv.count; i++) {
    if (!gv.mask[i]) continue;
    scored++;
    for (let l = 0; l < gv.depth; l++) {
      sumG += gv.g[i * gv.depth + l] as number;
      const c = gv.cells[i * gv.depth + l] as number;
      if (seen.has(c)) continue;
      seen.add(c);
      hit += table[c] as number;
    }
  }
  const pv = seen.size > 0 ? hypergeometricSf(hit, table.length, ones, seen.size) : { log10: 0 };
  const minScored = o.minScored ?? 16;
  const verdict =
    scored < minScored
      ? 'insufficient-evidence'
      : pv.log10 <= Math.log10(alpha)
        ? 'watermarked'
        : 'not-detected';
  return {
    kind: 'customs.watermark.hf-synthid/v1',
    verdict,
    pValue: toP(pv),
    log10PValue: pv.log10,
    alpha,
    meanG: scored > 0 ? sumG / (scored * gv.depth) : NaN,
    scoredNgrams: scored,
    distinctCells: seen.size,
    onesInCells: hit,
    tableOnes: ones / table.length,
    method: 'exact-hypergeometric',
    limitations: [
      "transformers' g-function is an LCG hash into a 2^16-entry table, not a PRF: the p-value is exact under the assumption that the cells a key-independent text hits are a random subset of the table",
      'score only the generated tokens (no prompt), tokenized exactly as the generating model did',
    ],
  };
}
