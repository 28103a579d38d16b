/**
 * Adapters for other JavaScript inference stacks, with no dependency on them: the caller passes
 * the base class / constructor from the package it already uses.
 *
 * - transformers.js (`@huggingface/transformers`): a `LogitsProcessor` subclass. Pass it in
 *   `generate({ logits_processor: new LogitsProcessorList([...]) })`. KGW adds δ to green logits
 *   and works with any sampler. Gumbel and SynthID are *terminal*: the processor applies
 *   temperature / top-k / top-p itself, picks the keyed token and leaves every other logit at
 *   −∞, so generate with `do_sample: false` (greedy then returns the keyed choice).
 * - node-llama-cpp: a `tokenBias` function (re-evaluated for every generated token) that adds δ to
 *   the green tokens of the current window (KGW only: llama.cpp samples after the bias).
 *
 * Both watermark with exactly the same PRF and rules as `customs generate`, so `customs detect`
 * and `detectWatermark` detect their output.
 */
import {
  createDistribution,
  createRng,
  toDistribution,
  type ChooserContext,
  type Rng,
  type SamplingOptions,
} from '../engine/index.js';
import { WatermarkError } from './errors.js';
import { watermarkChooser, type WatermarkChooser } from './generate.js';
import type { WatermarkKey } from './keys.js';
import { uniformAt } from './prf.js';
import { keyedScheme, type SchemeParams } from './schemes.js';

/** The row view transformers.js gives a logits processor: `logits[i].data` is a Float32Array. */
export interface LogitsRows {
  readonly [row: number]: { readonly data: Float32Array } | undefined;
}

/** Options of the adapters. */
export interface AdapterOptions {
  readonly params: SchemeParams;
  readonly key: WatermarkKey;
  readonly secondaryKey?: WatermarkKey | null;
  /** Vocabulary size (ids < 2^24). */
  readonly vocabSize: number;
  /** Terminal processors: the sampling to apply before the keyed choice (default temperature 1). */
  readonly sampling?: SamplingOptions;
  /** Seed of the unkeyed randomness (KGW / SynthID draws, plain steps). */
  readonly seed?: number;
}

/** What the processor adds to a transformers.js `LogitsProcessor` base. */
export interface WatermarkProcessor {
  _call(inputIds: readonly (readonly (bigint | number)[])[], logits: LogitsRows): LogitsRows;
  /** Forget the windows seen (call between unrelated generations). */
  reset(): void;
}

/** KGW: add δ to the logits of the green tokens of the window ending the sequence. */
function kgwBias(
  o: AdapterOptions,
): (seq: readonly number[], logits: Float32Array, n: number) => number[] {
  const p = o.params;
  if (p.scheme !== 'kgw')
    throw new WatermarkError('BAD_PARAMS', 'bias adapters implement KGW only');
  const ks = keyedScheme({ params: p, key: o.key, vocabSize: o.vocabSize });
  const mb = ks.messageBytes;
  const msgs = new Uint8Array(mb * o.vocabSize);
  return (seq, logits, n) => {
    const i = seq.length;
    if (i < p.contextWidth) return [];
    for (let v = 0; v < n; v++) ks.pack(msgs, v * mb, seq, i, v);
    const out = ks.prf.evaluate(msgs, n);
    const green: number[] = [];
    for (let v = 0; v < n; v++)
      if (uniformAt(out, v) < p.gamma) {
        green.push(v);
        logits[v] = (logits[v] as number) + p.delta;
      }
    return green;
  };
}

/**
 * A transformers.js logits processor: `new (createTransformersJsWatermark(LogitsProcessor, opts))()`.
 * `Base` is `LogitsProcessor` imported from `@huggingface/transformers`.
 */
export function createTransformersJsWatermark<B extends abstract new () => object>(
  Base: B,
  opts: AdapterOptions,
): new () => InstanceType<B> & WatermarkProcessor {
  const p = opts.params;
  const rows = new Map<number, { chooser: WatermarkChooser; rng: Rng }>();
  const row = (i: number): { chooser: WatermarkChooser; rng: Rng } => {
    let r = rows.get(i);
    if (!r) {
      r = {
        chooser: watermarkChooser({
          params: p,
          key: opts.key,
          secondaryKey: opts.secondaryKey ?? null,
          vocabSize: opts.vocabSize,
        }),
        rng: createRng((opts.seed ?? 0) + i),
      };
      rows.set(i, r);
    }
    return r;
  };
  const bias = p.scheme === 'kgw' ? kgwBias(opts) : null;
  const dist = createDistribution(opts.vocabSize);
  const scratch = new Int32Array(opts.vocabSize);
  abstract class Processor
    extends (Base as abstract new () => object)
    implements WatermarkProcessor
  {
    _call(inputIds: readonly (readonly (bigint | number)[])[], logits: LogitsRows): LogitsRows {
      inputIds.forEach((ids, i) => {
        const l = logits[i]?.data;
        if (!l) return;
        const seq = ids.map((x) => Number(x));
        const n = Math.min(opts.vocabSize, l.length);
        if (bias) {
          bias(seq, l, n);
          return;
        }
        const r = row(i);
        toDistribution(l, opts.sampling ?? {}, dist, scratch, n);
        const ctx: ChooserContext = { tokens: seq, promptLength: 0, rng: r.rng };
        const chosen = r.chooser.choose(dist, ctx);
        l.fill(-Infinity);
        l[chosen] = 0;
      });
      return logits;
    }
    reset(): void {
      rows.clear();
    }
  }
  return Processor as unknown as new () => InstanceType<B> & WatermarkProcessor;
}

/** The part of node-llama-cpp's `TokenBias` the adapter uses. */
export interface TokenBiasLike {
  set(input: number | readonly number[], bias: { logit: number }): unknown;
}

/**
 * A node-llama-cpp `tokenBias` function for KGW: pass it as `tokenBias` to `LlamaChatSession.prompt`
 * or `LlamaCompletion.generateCompletion`. `makeBias` is `() => new TokenBias(model.tokenizer)`;
 * `contextTokens` returns the tokens so far (e.g. `sequence.contextTokens`).
 */
export function createNodeLlamaCppKgwBias<T extends TokenBiasLike>(
  makeBias: () => T,
  contextTokens: () => readonly number[],
  opts: AdapterOptions,
): () => T {
  const bias = kgwBias(opts);
  const logits = new Float32Array(opts.vocabSize);
  return () => {
    const tb = makeBias();
    const green = bias(contextTokens(), logits, opts.vocabSize);
    if (green.length > 0)
      tb.set(green, { logit: opts.params.scheme === 'kgw' ? opts.params.delta : 0 });
    return tb;
  };
}
