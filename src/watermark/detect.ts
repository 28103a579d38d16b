/**
 * Detection: choose which (window, token) pairs to score, de-duplicate them, evaluate the keyed
 * PRF in batches and turn the scores into an exact p-value per key, with a correction for testing
 * several keys. The verdict object is the single source for the terminal, JSON and HTML views.
 *
 * Validity rests on three rules (Fernandez et al., "Three Bricks", 2023, §IV; Sander et al. 2024):
 * the scored set depends on the text only (never on the scores), every scored PRF input is
 * distinct (repeated pairs are skipped, not counted twice), and positions without a full window
 * or inside the prompt are not scored.
 */
import { createHash } from 'node:crypto';
import { holmAdjust, toP, type PValue } from '../stats/index.js';
import type { Tokenizer } from '../engine/index.js';
import { TOOL_VERSION } from '../version.js';
import { WatermarkError } from './errors.js';
import type { WatermarkKey } from './keys.js';
import { gumbelPValue, greenPValue, weightedBernoulliPValue } from './pvalues.js';
import {
  describeParams,
  keyedScheme,
  synthidWeights,
  type KeyedScheme,
  type SchemeParams,
} from './schemes.js';
import { MessageSet } from './tape.js';

/** Why a position was not scored. */
export type SkipReason =
  | 'prompt'
  | 'no-context'
  | 'special'
  | 'after-eos'
  | 'duplicate'
  | 'excluded'
  | 'filtered'
  | 'unscorable';

/** Messages evaluated per PRF batch (bounds the transient buffers of one call). */
export const PRF_BATCH = 1 << 16;

/** Fewer scored tokens than this give "insufficient evidence" whatever the p-value. */
export const DEFAULT_MIN_SCORED = 16;

/** Longest token sequence one detection call accepts. */
export const MAX_DETECT_TOKENS = 1 << 24;

/** Options of {@link createAccumulator}. */
export interface AccumulatorOptions {
  readonly keyed: KeyedScheme;
  /** `pair` (default): each distinct PRF input once. `context`: additionally each raw window once. */
  readonly dedup?: 'pair' | 'context';
  /** A tape shared across texts (global de-duplication for audits); default a fresh one. */
  readonly tape?: MessageSet;
  /** Expected number of offers (pre-sizes the buffers and the tape). */
  readonly expected?: number;
  /** Effective inputs never to score (e.g. those present in prompts); may change between offers. */
  readonly exclude?: { has(buf: Uint8Array, off: number): boolean } | null;
  /** Keep only tuples whose raw window seq[i−h, i) passes (e.g. windows in a served ledger). */
  readonly filter?: ((seq: ArrayLike<number>, i: number) => boolean) | null;
}

/** Scores (window, token) tuples under one key. */
export interface ScoreAccumulator {
  readonly keyed: KeyedScheme;
  /**
   * Offer the tuple (window = seq[i−h, i), token v). Returns a handle ≥ 0 when the tuple will be
   * scored (read its score with `scoreOf` after `flush`), or the reason it is skipped.
   */
  offer(seq: ArrayLike<number>, i: number, v: number): number | SkipReason;
  /** Count a position skipped before offering (prompt, special, …). */
  skip(reason: SkipReason): void;
  /** Evaluate pending tuples. */
  flush(): void;
  /** Score of a handle after flush (NaN: unscorable). */
  scoreOf(handle: number): number;
  /** Scored tuples so far (after flush). */
  readonly scored: number;
  /** Sum of scores so far (after flush). */
  readonly sum: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
}

function emptySkips(): Record<SkipReason, number> {
  return {
    prompt: 0,
    'no-context': 0,
    special: 0,
    'after-eos': 0,
    duplicate: 0,
    excluded: 0,
    filtered: 0,
    unscorable: 0,
  };
}

/** Create an accumulator. */
export function createAccumulator(o: AccumulatorOptions): ScoreAccumulator {
  const k = o.keyed;
  const mb = k.messageBytes;
  const h = k.contextWidth;
  const cap = Math.max(1024, Math.min(o.expected ?? 1024, 1 << 22));
  const tape = o.tape ?? new MessageSet(mb, cap);
  if (tape.width !== mb)
    throw new WatermarkError(
      'BAD_PARAMS',
      'the shared tape belongs to a scheme with another message size',
    );
  const windows =
    o.dedup === 'context' ? new MessageSet(16 * Math.ceil((1 + 3 * (h + 1)) / 16)) : null;
  let pending = new Uint8Array(mb * Math.min(cap, PRF_BATCH));
  let nPending = 0;
  let scores = new Float64Array(cap);
  let nScores = 0;
  let scored = 0;
  let sum = 0;
  const skipped = emptySkips();
  let out = new Float64Array(Math.min(cap, PRF_BATCH));
  const flush = (): void => {
    let start = 0;
    while (start < nPending) {
      const c = Math.min(PRF_BATCH, nPending - start);
      if (out.length < c) out = new Float64Array(Math.min(PRF_BATCH, c * 2));
      k.score(pending.subarray(start * mb, (start + c) * mb), c, out);
      for (let j = 0; j < c; j++) {
        const s = out[j] as number;
        scores[nScores - nPending + start + j] = s;
        if (Number.isNaN(s)) skipped.unscorable++;
        else {
          scored++;
          sum += s;
        }
      }
      start += c;
    }
    nPending = 0;
  };
  return {
    keyed: k,
    offer(seq, i, v) {
      if (i < h) {
        skipped['no-context']++;
        return 'no-context';
      }
      // Pack straight into the pending batch; the slot is only kept if the tuple is scored.
      if (nPending >= PRF_BATCH) flush();
      if ((nPending + 1) * mb > pending.length) {
        const p2 = new Uint8Array(Math.min(pending.length * 2, PRF_BATCH * mb));
        p2.set(pending);
        pending = p2;
      }
      const po = nPending * mb;
      k.pack(pending, po, seq, i, v);
      if (o.exclude?.has(pending, po)) {
        skipped.excluded++;
        return 'excluded';
      }
      if (o.filter && !o.filter(seq, i)) {
        skipped.filtered++;
        return 'filtered';
      }
      if (windows) {
        // raw window (token zeroed) under the plain layout, independent of the scheme's packing
        const w = new Uint8Array(windows.width);
        w[0] = h;
        for (let j = 0; j < h; j++) {
          const t = seq[i - h + j] as number;
          w[1 + 3 * j] = t & 0xff;
          w[2 + 3 * j] = (t >>> 8) & 0xff;
          w[3 + 3 * j] = (t >>> 16) & 0xff;
        }
        if (windows.has(w, 0) || tape.has(pending, po)) {
          skipped.duplicate++;
          return 'duplicate';
        }
        windows.add(w, 0);
      }
      if (!tape.add(pending, po)) {
        skipped.duplicate++;
        return 'duplicate';
      }
      nPending++;
      if (nScores >= scores.length) {
        const s2 = new Float64Array(scores.length * 2);
        s2.set(scores);
        scores = s2;
      }
      scores[nScores] = NaN;
      return nScores++;
    },
    skip(reason) {
      skipped[reason]++;
    },
    flush,
    scoreOf: (hd) => scores[hd] as number,
    get scored() {
      return scored;
    },
    get sum() {
      return sum;
    },
    skipped,
  };
}

/** One key's test result. */
export interface KeyResult {
  readonly keyId: string;
  readonly decoy: boolean;
  readonly scoredTokens: number;
  /** The statistic: Gumbel Σ −ln(1−u); KGW green count; SynthID Σ g (or weighted Σ w·g). */
  readonly statistic: number;
  /** Its expectation under H0. */
  readonly expected: number;
  readonly pValue: number;
  readonly log10PValue: number;
  /** `exact-gamma`, `exact-binomial` or `chernoff-bound`. */
  readonly method: 'exact-gamma' | 'exact-binomial' | 'chernoff-bound';
  /** Per-token effect: mean score (Gumbel), green rate (KGW), g rate (SynthID), null value beside it. */
  readonly effect: { readonly name: string; readonly value: number; readonly null: number };
  readonly skipped: Readonly<Record<SkipReason, number>>;
}

/** The test of one accumulator. */
export function keyResult(acc: ScoreAccumulator): KeyResult {
  const p = acc.keyed.params;
  const n = acc.scored;
  const S = acc.sum;
  let pv: PValue;
  let method: KeyResult['method'];
  let expected: number;
  let effect: KeyResult['effect'];
  if (p.scheme === 'gumbel') {
    pv = gumbelPValue(S, n);
    method = 'exact-gamma';
    expected = n;
    effect = { name: 'mean score', value: n > 0 ? S / n : NaN, null: 1 };
  } else if (p.scheme === 'kgw') {
    pv = greenPValue(Math.round(S), n, p.gamma);
    method = 'exact-binomial';
    expected = n * p.gamma;
    effect = { name: 'green rate', value: n > 0 ? S / n : NaN, null: p.gamma };
  } else if (!p.weighted) {
    pv = greenPValue(Math.round(S), n * p.depth, 0.5);
    method = 'exact-binomial';
    expected = (n * p.depth) / 2;
    effect = { name: 'mean g', value: n > 0 ? S / (n * p.depth) : NaN, null: 0.5 };
  } else {
    const w = synthidWeights(p.depth);
    pv = weightedBernoulliPValue(S, n, w, 0.5);
    method = 'chernoff-bound';
    expected = (n * p.depth) / 2;
    effect = { name: 'weighted mean g', value: n > 0 ? S / (n * p.depth) : NaN, null: 0.5 };
  }
  return {
    keyId: acc.keyed.key.id,
    decoy: acc.keyed.key.decoy,
    scoredTokens: n,
    statistic: S,
    expected,
    pValue: toP(pv),
    log10PValue: pv.log10,
    method,
    effect,
    skipped: { ...acc.skipped },
  };
}

/** Per-token record for renderings. */
export interface TokenRecord {
  readonly id: number;
  /** Display text of the token. */
  readonly text: string;
  readonly status: 'scored' | SkipReason;
  /** Score under the first key (null when not scored). */
  readonly score: number | null;
}

/** Options of {@link detectWatermark}. */
export interface DetectOptions {
  /** The text, as token ids, raw bytes (byte tokenizer: exact even when not UTF-8) or a string. */
  readonly tokens?: readonly number[];
  readonly bytes?: Uint8Array;
  readonly text?: string;
  readonly tokenizer: Tokenizer;
  /** A prompt that preceded the text: used as context for the first windows, never scored. */
  readonly prompt?: string | readonly number[];
  /** Keys to test (several: the result is corrected for multiplicity with Holm's method). */
  readonly keys: readonly WatermarkKey[];
  /** Gumbel dual key: key B. */
  readonly secondaryKey?: WatermarkKey | null;
  readonly params: SchemeParams;
  readonly dedup?: 'pair' | 'context';
  /** Significance level of the verdict label (default 1e-6). The p-value is always reported. */
  readonly alpha?: number;
  /** Minimum scored tokens for a verdict (default {@link DEFAULT_MIN_SCORED}). */
  readonly minScored?: number;
  /** Stop scoring at the first EOS after the prompt (default true). */
  readonly stopAtEos?: boolean;
  /** Keep per-token records (for HTML). */
  readonly detail?: boolean;
}

/** The detection verdict: the single source for every rendering. */
export interface DetectVerdict {
  readonly kind: 'customs.watermark.detect/v1';
  readonly verdict: 'watermarked' | 'not-detected' | 'insufficient-evidence';
  readonly scheme: SchemeParams['scheme'];
  readonly params: SchemeParams;
  readonly description: string;
  /** Family-wise p-value over the keys tested (Holm; equals the raw p-value for one key). */
  readonly pValue: number;
  readonly log10PValue: number;
  readonly alpha: number;
  /** Scored tokens under the best key. */
  readonly scoredTokens: number;
  readonly totalTokens: number;
  readonly minScored: number;
  readonly keysTested: number;
  readonly bestKeyId: string | null;
  readonly keys: readonly KeyResult[];
  readonly correction: 'none' | 'holm';
  readonly dedup: 'pair' | 'context';
  readonly tokenizer: { readonly kind: string; readonly digest: string };
  /** SHA-256 of the scored token ids (u32 little-endian), to re-run the check. */
  readonly inputDigest: string;
  readonly toolVersion: string;
  /** What this verdict could not see or assumes. */
  readonly limitations: readonly string[];
  readonly tokens?: readonly TokenRecord[];
  /** With `detail`: (scored tokens so far, −log10 p so far) along the text, first key. */
  readonly evidence?: readonly (readonly [number, number])[];
}

function tokenize(o: DetectOptions): number[] {
  if (o.tokens) return [...o.tokens];
  if (o.bytes) {
    if (o.tokenizer.kind !== 'bytes') return o.tokenizer.encode(new TextDecoder().decode(o.bytes));
    return Array.from(o.bytes);
  }
  if (o.text !== undefined) return o.tokenizer.encode(o.text);
  throw new WatermarkError('BAD_INPUT', 'nothing to detect: give tokens, bytes or text');
}

/** SHA-256 of token ids as u32 little-endian. */
export function tokensDigest(ids: readonly number[]): string {
  const u = Uint32Array.from(ids);
  const b = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1)
    for (let i = 0; i < u.length; i++) b.writeUInt32LE(u[i] as number, i * 4);
  return createHash('sha256').update(b).digest('hex');
}

/**
 * Keyed schemes are cached per (key, parameters, vocabulary): deriving the subkey and setting up
 * the cipher costs more than scoring a short text. Bounded so a caller cycling through keys
 * cannot grow it.
 */
const KEYED_CACHE_SIZE = 256;
const keyedCache = new Map<string, KeyedScheme>();
function cachedKeyed(
  params: SchemeParams,
  key: WatermarkKey,
  secondaryKey: WatermarkKey | null,
  vocabSize: number,
): KeyedScheme {
  const id = `${key.id}|${Buffer.from(key.secret).toString('hex')}|${secondaryKey ? Buffer.from(secondaryKey.secret).toString('hex') : '-'}|${JSON.stringify(params)}|${vocabSize}`;
  let k = keyedCache.get(id);
  if (!k) {
    k = keyedScheme({ params, key, secondaryKey, vocabSize });
    if (keyedCache.size >= KEYED_CACHE_SIZE) keyedCache.clear();
    keyedCache.set(id, k);
  }
  return k;
}

/** Detect a watermark in one text under one or more keys. */
export function detectWatermark(o: DetectOptions): DetectVerdict {
  if (o.keys.length === 0) throw new WatermarkError('BAD_KEY', 'no key to test');
  const alpha = o.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1))
    throw new WatermarkError('BAD_PARAMS', `alpha ${alpha} must be in (0, 1)`, {
      where: { field: 'alpha' },
    });
  const minScored = o.minScored ?? DEFAULT_MIN_SCORED;
  if (!Number.isInteger(minScored) || minScored < 1)
    throw new WatermarkError('BAD_PARAMS', 'minScored must be a positive integer', {
      where: { field: 'minScored' },
    });
  const body = tokenize(o);
  const prompt =
    o.prompt === undefined
      ? []
      : typeof o.prompt === 'string'
        ? o.tokenizer.encode(o.prompt)
        : [...o.prompt];
  const seq = [...prompt, ...body];
  if (seq.length > MAX_DETECT_TOKENS)
    throw new WatermarkError('LIMIT_EXCEEDED', `${seq.length} tokens exceed ${MAX_DETECT_TOKENS}`, {
      where: { field: 'text' },
    });
  const V = o.tokenizer.vocabSize;
  for (let i = 0; i < seq.length; i++) {
    const t = seq[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= V)
      throw new WatermarkError('BAD_INPUT', `token id ${t} is outside the tokenizer's ${V} ids`, {
        where: { field: 'tokens', offset: i },
      });
  }
  const dedup = o.dedup ?? 'pair';
  const accs = o.keys.map((key) =>
    createAccumulator({
      keyed: cachedKeyed(o.params, key, o.secondaryKey ?? null, V),
      dedup,
      expected: seq.length,
    }),
  );
  const eos = o.stopAtEos === false ? null : o.tokenizer.eosId;
  const keep = o.detail === true;
  const handles: (number | SkipReason)[][] = accs.map(() => []);
  let afterEos = false;
  for (let i = prompt.length; i < seq.length; i++) {
    const t = seq[i] as number;
    let reason: SkipReason | null = null;
    if (afterEos) reason = 'after-eos';
    else if (eos !== null && t === eos) {
      afterEos = true;
      reason = 'after-eos';
    } else if (o.tokenizer.isSpecial(t)) reason = 'special';
    for (let k = 0; k < accs.length; k++) {
      const acc = accs[k] as ScoreAccumulator;
      let r: number | SkipReason;
      if (reason) {
        acc.skip(reason);
        r = reason;
      } else r = acc.offer(seq, i, t);
      if (keep) handles[k]?.push(r);
    }
  }
  for (const a of accs) a.flush();
  const results = accs.map(keyResult);
  const adjusted: PValue[] =
    results.length > 1
      ? holmAdjust(results.map((r) => ({ log10: r.log10PValue })))
      : results.map((r) => ({ log10: r.log10PValue }));
  let best = 0;
  adjusted.forEach((p, i) => {
    if (p.log10 < (adjusted[best] as PValue).log10) best = i;
  });
  const bestP = adjusted[best] as PValue;
  const bestR = results[best] as KeyResult;
  const enough = bestR.scoredTokens >= minScored;
  const verdict: DetectVerdict['verdict'] = !enough
    ? 'insufficient-evidence'
    : bestP.log10 <= Math.log10(alpha)
      ? 'watermarked'
      : 'not-detected';
  const limitations: string[] = [
    `scores tokens as ${o.tokenizer.kind === 'bytes' ? 'UTF-8 bytes' : 'tokenizer.json BPE ids'}: if the generator used another tokenizer the scores are noise (the p-value stays valid, the test loses all power)`,
    'p-values assume the text was written independently of the key (H0) and treat the keyed PRF as random; repeated (window, token) pairs are scored once',
  ];
  if (o.params.scheme === 'synthid' && o.params.weighted)
    limitations.push(
      'the weighted SynthID p-value is a Chernoff upper bound: conservative, the true tail is smaller',
    );
  if (o.params.scheme === 'gumbel' && o.params.dualKey && !o.secondaryKey)
    limitations.push('dual key without key B: only positions the coin gave to key A are scored');
  if (!enough)
    limitations.push(
      `only ${bestR.scoredTokens} distinct (window, token) pairs could be scored; at least ${minScored} are needed for a verdict`,
    );
  if (prompt.length === 0)
    limitations.push(
      `the first ${o.params.contextWidth} tokens have no full window and are not scored (pass the prompt to score them)`,
    );
  let records: TokenRecord[] | undefined;
  let evidence: [number, number][] | undefined;
  if (o.detail) {
    const acc0 = accs[0] as ScoreAccumulator;
    const h0 = handles[0] ?? [];
    records = body.map((id, j) => {
      const hd = h0[j];
      const text =
        o.tokenizer.kind === 'bytes' ? (o.tokenizer.tokenText(id) ?? '') : o.tokenizer.decode([id]);
      if (typeof hd === 'number') {
        const s = acc0.scoreOf(hd);
        return Number.isNaN(s)
          ? { id, text, status: 'unscorable', score: null }
          : { id, text, status: 'scored', score: s };
      }
      return { id, text, status: hd ?? 'prompt', score: null };
    });
    evidence = runningEvidence(records, o.params);
  }
  return {
    kind: 'customs.watermark.detect/v1',
    verdict,
    scheme: o.params.scheme,
    params: o.params,
    description: describeParams(o.params),
    pValue: toP(bestP),
    log10PValue: bestP.log10,
    alpha,
    scoredTokens: bestR.scoredTokens,
    totalTokens: body.length,
    minScored,
    keysTested: results.length,
    bestKeyId: bestR.keyId,
    keys: results,
    correction: results.length > 1 ? 'holm' : 'none',
    dedup,
    tokenizer: { kind: o.tokenizer.kind, digest: o.tokenizer.digest },
    inputDigest: tokensDigest(seq),
    toolVersion: TOOL_VERSION,
    limitations,
    ...(records ? { tokens: records } : {}),
    ...(evidence ? { evidence } : {}),
  };
}

/** −log10 p after each prefix of the scored tokens (at most ~400 points). */
function runningEvidence(records: readonly TokenRecord[], p: SchemeParams): [number, number][] {
  const scores = records.filter((r) => r.status === 'scored').map((r) => r.score ?? 0);
  const step = Math.max(1, Math.ceil(scores.length / 400));
  const out: [number, number][] = [[0, 0]];
  let sum = 0;
  const w = p.scheme === 'synthid' && p.weighted ? synthidWeights(p.depth) : null;
  scores.forEach((s, i) => {
    sum += s;
    const n = i + 1;
    if (n % step !== 0 && n !== scores.length) return;
    let lp: number;
    if (p.scheme === 'gumbel') lp = gumbelPValue(sum, n).log10;
    else if (p.scheme === 'kgw') lp = greenPValue(Math.round(sum), n, p.gamma).log10;
    else if (w) lp = weightedBernoulliPValue(sum, n, w).log10;
    else lp = greenPValue(Math.round(sum), n * p.depth, 0.5).log10;
    out.push([n, -lp]);
  });
  return out;
}
