/**
 * Autoregressive generation and teacher-forced scoring on top of a session.
 *
 * Sequences longer than the model's context run with sliding-window attention over the last
 * `capacity` tokens (see `SessionOptions.slide`), in generation and in scoring alike, so a
 * token's score is the probability the generator actually used. Documented in docs/engine.md.
 */
import { EngineError } from './errors.js';
import { createSession, type InferenceSession } from './forward.js';
import {
  checkSampling,
  createDistribution,
  createRng,
  logSoftmax,
  sampleFrom,
  toDistribution,
  type Rng,
  type SamplingOptions,
  type TokenDistribution,
} from './sampling.js';
import type { LlamaWeights } from './weights.js';

/** Most new tokens one generate call produces (bounds time and memory of a single request). */
export const MAX_GENERATE_TOKENS = 1 << 20;

/** Longest token sequence one scoring call accepts (4M float64 log-probs = 32 MiB). */
export const MAX_SCORE_TOKENS = 1 << 22;

/** The state a token chooser sees at each step. */
export interface ChooserContext {
  /** Prompt followed by the tokens generated so far. Do not mutate. */
  readonly tokens: readonly number[];
  /** How many of `tokens` are the prompt. */
  readonly promptLength: number;
  /** The generator's seeded RNG (for the unkeyed randomness of a scheme). */
  readonly rng: Rng;
}

/**
 * Replaces plain sampling (a watermark's generation rule). It receives the candidate
 * distribution after temperature / top-k / top-p and returns the chosen token id, which must be
 * one of the candidates.
 */
export interface TokenChooser {
  choose(dist: TokenDistribution, ctx: ChooserContext): number;
}

/** Options of {@link generateTokens}. */
export interface GenerateOptions {
  /** Prompt token ids (at least one: the engine never invents a BOS). */
  readonly prompt: readonly number[];
  readonly maxNewTokens: number;
  readonly sampling?: SamplingOptions;
  /** Seed of the sampling RNG (default 0). Ignored when `rng` is given. */
  readonly seed?: number | bigint;
  readonly rng?: Rng;
  /** Stop after emitting any of these ids (the stop token is included in the output). */
  readonly stopTokens?: readonly number[];
  /** Token choice rule; default plain sampling from the distribution. */
  readonly chooser?: TokenChooser;
  /** Only ids below this are candidates (tokenizer vocabulary vs wider logits). */
  readonly vocabLimit?: number;
  /** Session to run in (reset first); default a new sliding one at the model's context length. */
  readonly session?: InferenceSession;
  /** Record log p(token) under the model's own distribution (temperature 1, no truncation). */
  readonly logprobs?: boolean;
  /** Called after each token (for streaming). */
  readonly onToken?: (token: number, index: number) => void;
}

/** What {@link generateTokens} returns. */
export interface GenerationResult {
  /** The new tokens (without the prompt). */
  readonly tokens: number[];
  readonly finishReason: 'length' | 'stop';
  /** Natural-log model probabilities of each new token (when asked). */
  readonly logprobs: number[] | null;
  /** How many tokens were generated with a full (sliding) context window. */
  readonly contextSlides: number;
}

function checkTokens(tokens: readonly number[], vocab: number, field: string): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= vocab) {
      throw new EngineError('BAD_TOKEN', `token id ${t} is outside [0, ${vocab})`, {
        where: { field, offset: i },
      });
    }
  }
}

/** Sample a continuation of `prompt` (token ids in, token ids out). */
export function generateTokens(w: LlamaWeights, opts: GenerateOptions): GenerationResult {
  const c = w.config;
  const max = opts.maxNewTokens;
  if (!Number.isInteger(max) || max < 0 || max > MAX_GENERATE_TOKENS) {
    throw new EngineError(
      'BAD_OPTIONS',
      `maxNewTokens ${max} must be an integer in [0, ${MAX_GENERATE_TOKENS}]`,
      { where: { field: 'maxNewTokens' } },
    );
  }
  if (opts.prompt.length === 0) {
    throw new EngineError('BAD_OPTIONS', 'the prompt must contain at least one token', {
      where: { field: 'prompt' },
    });
  }
  checkTokens(opts.prompt, c.vocabSize, 'prompt');
  const sampling = opts.sampling ?? {};
  checkSampling(sampling);
  const vocabLimit = Math.min(opts.vocabLimit ?? c.logitsSize, c.logitsSize, c.vocabSize);
  const session = opts.session ?? createSession(w, { slide: true });
  session.reset();
  const rng = opts.rng ?? createRng(opts.seed ?? 0);
  const stop = new Set(opts.stopTokens ?? []);
  const dist = createDistribution(c.logitsSize);
  const scratch = new Int32Array(c.logitsSize);
  const lsm = opts.logprobs ? new Float64Array(c.logitsSize) : null;
  const all: number[] = [...opts.prompt];
  let logits = session.prefill(all);
  const out: number[] = [];
  const lps: number[] | null = lsm ? [] : null;
  let finish: 'length' | 'stop' = 'length';
  let slides = 0;
  const ctx: ChooserContext = { tokens: all, promptLength: opts.prompt.length, rng };
  while (out.length < max) {
    if (session.position > session.capacity) slides++;
    toDistribution(logits, sampling, dist, scratch, vocabLimit);
    const tok = opts.chooser ? opts.chooser.choose(dist, ctx) : sampleFrom(dist, rng);
    if (lsm && lps) {
      logSoftmax(logits, lsm, vocabLimit);
      lps.push(lsm[tok] as number);
    }
    out.push(tok);
    all.push(tok);
    opts.onToken?.(tok, out.length - 1);
    if (stop.has(tok)) {
      finish = 'stop';
      break;
    }
    if (out.length >= max) break;
    logits = session.step(tok);
  }
  return { tokens: out, finishReason: finish, logprobs: lps, contextSlides: slides };
}

/** Options of {@link scoreTokens}. */
export interface ScoreOptions {
  /** The whole sequence (context and targets). */
  readonly tokens: readonly number[];
  /** First position whose token is scored (≥ 1; default 1). Earlier tokens are context only. */
  readonly from?: number;
  /** Also return the k most likely next tokens at each scored position (0: only the argmax). */
  readonly topK?: number;
  /** Session to run in (reset first); default a new sliding one at the model's context length. */
  readonly session?: InferenceSession;
  /** Only ids below this count (tokenizer vocabulary vs wider logits). */
  readonly vocabLimit?: number;
}

/** Teacher-forced scores of positions `[from, tokens.length)`. */
export interface TokenScores {
  readonly from: number;
  /** ln p(tokens[t] | tokens[<t]) for t = from + i. */
  readonly logprobs: Float64Array;
  /** The model's most likely next token at each scored position (what it "would say"). */
  readonly argmax: Int32Array;
  /** When topK > 0: ids `[i·k, (i+1)·k)` and their log-probs for position from + i. */
  readonly topIds: Int32Array | null;
  readonly topLogprobs: Float32Array | null;
  readonly topK: number;
  /** Scored positions whose context was truncated to the sliding window. */
  readonly slidPositions: number;
}

/**
 * Log-probabilities of a given token sequence under the model (teacher forcing), plus the
 * model's own top predictions at each position (for radioactivity "reading mode").
 */
export function scoreTokens(w: LlamaWeights, opts: ScoreOptions): TokenScores {
  const c = w.config;
  const toks = opts.tokens;
  const n = toks.length;
  const from = opts.from ?? 1;
  const k = opts.topK ?? 0;
  if (n > MAX_SCORE_TOKENS)
    throw new EngineError('LIMIT_EXCEEDED', `${n} tokens exceed ${MAX_SCORE_TOKENS}`, {
      where: { field: 'tokens' },
    });
  if (!Number.isInteger(from) || from < 1 || from > Math.max(1, n)) {
    throw new EngineError('BAD_OPTIONS', `from ${from} must be in [1, ${Math.max(1, n)}]`, {
      where: { field: 'from' },
    });
  }
  const vocabLimit = Math.min(opts.vocabLimit ?? c.logitsSize, c.logitsSize);
  if (!Number.isInteger(k) || k < 0 || k > vocabLimit)
    throw new EngineError('BAD_OPTIONS', `topK ${k} must be in [0, ${vocabLimit}]`, {
      where: { field: 'topK' },
    });
  checkTokens(toks, c.vocabSize, 'tokens');
  const m = Math.max(0, n - from);
  const logprobs = new Float64Array(m);
  const argmax = new Int32Array(m);
  const topIds = k > 0 ? new Int32Array(m * k) : null;
  const topLps = k > 0 ? new Float32Array(m * k) : null;
  const session = opts.session ?? createSession(w, { slide: true });
  session.reset();
  const lsm = new Float64Array(c.logitsSize);
  const heap = k > 0 ? new Int32Array(vocabLimit) : null;
  let slid = 0;
  for (let i = 0; i < n - 1; i++) {
    const logits = session.step(toks[i] as number);
    const target = i + 1;
    if (target < from) continue;
    if (session.position > session.capacity) slid++;
    logSoftmax(logits, lsm, vocabLimit);
    const j = target - from;
    logprobs[j] = lsm[toks[target] as number] as number;
    let best = 0;
    let bv = -Infinity;
    for (let v = 0; v < vocabLimit; v++)
      if ((lsm[v] as number) > bv) {
        bv = lsm[v] as number;
        best = v;
      }
    argmax[j] = best;
    if (topIds && topLps && heap) topKInto(lsm, vocabLimit, k, heap, topIds, topLps, j * k);
  }
  return { from, logprobs, argmax, topIds, topLogprobs: topLps, topK: k, slidPositions: slid };
}

function topKInto(
  lsm: Float64Array,
  n: number,
  k: number,
  heap: Int32Array,
  ids: Int32Array,
  lps: Float32Array,
  off: number,
): void {
  // Min-heap of size k over the best seen so far.
  let size = 0;
  const less = (a: number, b: number): boolean =>
    (lsm[a] as number) < (lsm[b] as number) || ((lsm[a] as number) === (lsm[b] as number) && a > b);
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let m = l;
      if (l + 1 < size && less(heap[l + 1] as number, heap[l] as number)) m = l + 1;
      if (!less(heap[m] as number, heap[i] as number)) return;
      const t = heap[i] as number;
      heap[i] = heap[m] as number;
      heap[m] = t;
      i = m;
    }
  };
  for (let v = 0; v < n; v++) {
    if (size < k) {
      heap[size] = v;
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(heap[i] as number, heap[p] as number)) break;
        const t = heap[i] as number;
        heap[i] = heap[p] as number;
        heap[p] = t;
        i = p;
      }
    } else if (less(heap[0] as number, v)) {
      heap[0] = v;
      down(0);
    }
  }
  // Pop ascending, write descending.
  for (let j = size - 1; j >= 0; j--) {
    const top = heap[0] as number;
    ids[off + j] = top;
    lps[off + j] = lsm[top] as number;
    heap[0] = heap[--size] as number;
    down(0);
  }
}
