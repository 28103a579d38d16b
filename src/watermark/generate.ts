/**
 * Watermarked generation: a `TokenChooser` for the engine (or any loop that has the candidate
 * distribution after temperature / top-k / top-p).
 *
 * Generation-time context de-duplication (SynthID supplementary G.3; vLLM
 * `deduplicate_contexts`): a window already used in this generation is sampled without the
 * watermark, so Gumbel's deterministic choice never loops and no (window, token) pair is
 * watermarked twice. Greedy steps (temperature 0) and steps without a full window are never
 * watermarked: there is no randomness to key.
 */
import type {
  ChooserContext,
  LocalModel,
  SamplingOptions,
  TokenChooser,
  TokenDistribution,
} from '../engine/index.js';
import { sampleFrom } from '../engine/index.js';
import { WatermarkError } from './errors.js';
import type { WatermarkKey } from './keys.js';
import { packMessage, uniformAt, type Prf } from './prf.js';
import { describeParams, keyedScheme, zeroToken, type SchemeParams } from './schemes.js';
import type { LedgerWriter } from './ledger.js';

/** Counts of what the generator did. */
export interface GenerationStats {
  /** Steps whose token was chosen by the keyed rule. */
  watermarked: number;
  /** Steps sampled plainly because the window was used before. */
  repeatedContext: number;
  /** Steps without a full window (start of text). */
  noContext: number;
  /** Greedy steps (temperature 0). */
  greedy: number;
  /** Dual key: steps the coin gave to key B. */
  secondaryKeySteps: number;
}

/** Options of {@link watermarkChooser}. */
export interface WatermarkChooserOptions {
  readonly params: SchemeParams;
  readonly key: WatermarkKey;
  /** Dual-key Gumbel: key B (required when `params.dualKey`). */
  readonly secondaryKey?: WatermarkKey | null;
  /** Vocabulary size of the tokenizer (ids < 2^24). */
  readonly vocabSize: number;
  /**
   * Generation-time context de-duplication. Default true for Gumbel and SynthID (deterministic or
   * distortion-free choices would otherwise loop / repeat a keyed choice); false for KGW, whose soft
   * bias does not loop and whose small windows repeat constantly.
   */
  readonly dedupContexts?: boolean;
  /** Record served windows for later radioactivity filters. */
  readonly ledger?: LedgerWriter | null;
}

/** A chooser with its statistics; `reset()` forgets the windows seen (new conversation). */
export interface WatermarkChooser extends TokenChooser {
  readonly stats: GenerationStats;
  reset(): void;
}

/** Build the watermarking token chooser of a scheme. */
export function watermarkChooser(o: WatermarkChooserOptions): WatermarkChooser {
  const p = o.params;
  if (p.scheme === 'gumbel' && p.dualKey && !o.secondaryKey)
    throw new WatermarkError('BAD_KEY', 'dual-key Gumbel generation needs the secondary key', {
      where: { field: 'secondaryKey' },
    });
  const keyed = keyedScheme({
    params: p,
    key: o.key,
    secondaryKey: o.secondaryKey ?? null,
    vocabSize: o.vocabSize,
  });
  const h = p.contextWidth;
  const mb = keyed.messageBytes;
  const stats: GenerationStats = {
    watermarked: 0,
    repeatedContext: 0,
    noContext: 0,
    greedy: 0,
    secondaryKeySteps: 0,
  };
  const seen = new Set<string>();
  const dedup = o.dedupContexts ?? p.scheme !== 'kgw';
  let msgs = new Uint8Array(mb * 256);
  let work = new Float64Array(256);
  let gbits = new Uint8Array(0);
  const ensure = (n: number): void => {
    if (msgs.length < n * mb) msgs = new Uint8Array(n * mb * 2);
    if (work.length < n) work = new Float64Array(n * 2);
  };
  const plain = (d: TokenDistribution, ctx: ChooserContext): number => sampleFrom(d, ctx.rng);
  const windowKey = (toks: readonly number[]): string => toks.slice(toks.length - h).join(',');
  const coinMsg = new Uint8Array(mb);

  const choose = (d: TokenDistribution, ctx: ChooserContext): number => {
    const toks = ctx.tokens;
    const i = toks.length; // position of the token being chosen
    if (d.greedy) {
      stats.greedy++;
      return d.ids[0] as number;
    }
    if (i < h) {
      stats.noContext++;
      return plain(d, ctx);
    }
    if (dedup) {
      const wk = windowKey(toks);
      if (seen.has(wk)) {
        stats.repeatedContext++;
        return plain(d, ctx);
      }
      seen.add(wk);
    }
    const S = d.size;
    ensure(S);
    for (let c = 0; c < S; c++) keyed.pack(msgs, c * mb, toks, i, d.ids[c] as number);
    let chosen: number;
    if (p.scheme === 'gumbel') {
      let prf: Prf = keyed.prf;
      if (p.dualKey && keyed.coin) {
        packMessage(coinMsg, 0, h, toks, i - h, 0);
        zeroToken(coinMsg, 0, h);
        if (uniformAt(keyed.coin.evaluate(coinMsg, 1), 0) < p.alpha) {
          prf = keyed.second as Prf;
          stats.secondaryKeySteps++;
        }
      }
      const out = prf.evaluate(msgs, S);
      // argmax_v u_v^{1/p_v} = argmax ln(u_v)/p_v (Gumbel-max with keyed uniforms)
      let best = d.ids[0] as number;
      let bv = -Infinity;
      for (let c = 0; c < S; c++) {
        const pv = d.probs[c] as number;
        if (!(pv > 0)) continue;
        const r = Math.log(uniformAt(out, c)) / pv;
        if (r > bv) {
          bv = r;
          best = d.ids[c] as number;
        }
      }
      chosen = best;
    } else if (p.scheme === 'kgw') {
      const out = keyed.prf.evaluate(msgs, S);
      const boost = Math.exp(p.delta);
      let z = 0;
      for (let c = 0; c < S; c++) {
        const q = (d.probs[c] as number) * (uniformAt(out, c) < p.gamma ? boost : 1);
        work[c] = q;
        z += q;
      }
      chosen = sampleWeights(d, work, z, ctx);
    } else {
      const out = keyed.prf.evaluate(msgs, S);
      const m = p.depth;
      if (gbits.length < m * S) gbits = new Uint8Array(m * S * 2);
      // layer-major bits so the tournament's inner loops run over contiguous memory
      for (let c = 0; c < S; c++) {
        work[c] = d.probs[c] as number;
        // bit l of the output = bit l of its little-endian 32-bit words
        const o = c * 16;
        for (let w = 0; w * 32 < m; w++) {
          const word =
            (out[o + 4 * w] as number) |
            ((out[o + 4 * w + 1] as number) << 8) |
            ((out[o + 4 * w + 2] as number) << 16) |
            ((out[o + 4 * w + 3] as number) << 24);
          const top = Math.min(32, m - 32 * w);
          for (let l = 0; l < top; l++) gbits[(32 * w + l) * S + c] = (word >>> l) & 1;
        }
      }
      // Vectorised 2-candidate tournament (Dathathri et al. 2024, Algorithm 2 / HF update_scores).
      for (let l = 0; l < m; l++) {
        const base = l * S;
        let G = 0;
        for (let c = 0; c < S; c++) G += (work[c] as number) * (gbits[base + c] as number);
        for (let c = 0; c < S; c++)
          work[c] = (work[c] as number) * (1 + (gbits[base + c] as number) - G);
      }
      let z = 0;
      for (let c = 0; c < S; c++) z += work[c] as number;
      chosen = sampleWeights(d, work, z, ctx);
    }
    stats.watermarked++;
    o.ledger?.record(toks, i, chosen);
    return chosen;
  };
  return {
    choose,
    stats,
    reset() {
      seen.clear();
    },
  };
}

function sampleWeights(
  d: TokenDistribution,
  w: Float64Array,
  z: number,
  ctx: ChooserContext,
): number {
  const u = ctx.rng.nextFloat() * z;
  let cum = 0;
  for (let c = 0; c < d.size; c++) {
    cum += w[c] as number;
    if (u < cum) return d.ids[c] as number;
  }
  return d.ids[d.size - 1] as number;
}

/** Options of {@link generateWatermarked}. */
export interface GenerateWatermarkedOptions {
  readonly model: LocalModel;
  readonly prompt: string | readonly number[];
  readonly maxNewTokens: number;
  /** Scheme parameters, or null for a plain (unwatermarked) generation. */
  readonly params: SchemeParams | null;
  readonly key?: WatermarkKey | null;
  readonly secondaryKey?: WatermarkKey | null;
  readonly sampling?: SamplingOptions;
  readonly seed?: number | bigint;
  readonly dedupContexts?: boolean;
  readonly ledger?: LedgerWriter | null;
}

/** A generation with what the watermark did. */
export interface WatermarkedGeneration {
  readonly kind: 'customs.watermark.generate/v1';
  readonly model: string;
  readonly text: string;
  readonly tokens: readonly number[];
  readonly promptTokens: readonly number[];
  readonly finishReason: 'length' | 'stop';
  readonly watermark: {
    readonly params: SchemeParams;
    readonly description: string;
    readonly keyId: string;
    readonly secondaryKeyId: string | null;
    readonly stats: GenerationStats;
  } | null;
  readonly sampling: SamplingOptions;
  readonly seed: string;
  readonly tokenizer: { readonly kind: string; readonly digest: string };
}

/** Generate text from a local model, watermarked when `params` is given. */
export function generateWatermarked(o: GenerateWatermarkedOptions): WatermarkedGeneration {
  let chooser: WatermarkChooser | null = null;
  if (o.params) {
    if (!o.key)
      throw new WatermarkError('BAD_KEY', 'a watermark needs a key', { where: { field: 'key' } });
    chooser = watermarkChooser({
      params: o.params,
      key: o.key,
      secondaryKey: o.secondaryKey ?? null,
      vocabSize: o.model.vocabLimit,
      ...(o.dedupContexts !== undefined ? { dedupContexts: o.dedupContexts } : {}),
      ledger: o.ledger ?? null,
    });
  }
  const sampling = o.sampling ?? {};
  const seed = o.seed ?? 0;
  const g = o.model.generate({
    prompt: o.prompt,
    maxNewTokens: o.maxNewTokens,
    sampling,
    seed,
    ...(chooser ? { chooser } : {}),
  });
  return {
    kind: 'customs.watermark.generate/v1',
    model: o.model.spec,
    text: g.text,
    tokens: g.tokens,
    promptTokens: g.promptTokens,
    finishReason: g.finishReason,
    watermark:
      o.params && o.key && chooser
        ? {
            params: o.params,
            description: describeParams(o.params),
            keyId: o.key.id,
            secondaryKeyId: o.secondaryKey?.id ?? null,
            stats: { ...chooser.stats },
          }
        : null,
    sampling,
    seed: seed.toString(),
    tokenizer: { kind: o.model.tokenizer.kind, digest: o.model.tokenizer.digest },
  };
}
