/**
 * A local model with its tokenizer: text in, text out. The convenience layer most callers
 * (CLI, watermark, probe) use over weights + sessions.
 */
import { openModel } from '../model/index.js';
import type { ResolveOptions } from '../sources/index.js';
import { EngineError } from './errors.js';
import { createSession, type InferenceSession } from './forward.js';
import {
  generateTokens,
  scoreTokens,
  type GenerationResult,
  type TokenChooser,
  type TokenScores,
} from './generate.js';
import type { Rng, SamplingOptions } from './sampling.js';
import { byteTokenizer, loadTokenizer, type Tokenizer } from './tokenizer/index.js';
import { loadWeights, type LlamaWeights, type RopeLayout } from './weights.js';

/** A loaded model and tokenizer. */
export interface LocalModel {
  /** The model spec it was loaded from. */
  readonly spec: string;
  readonly weights: LlamaWeights;
  readonly tokenizer: Tokenizer;
  /** Candidate ids are `[0, vocabLimit)`: the tokenizer's and the model's vocabularies agree there. */
  readonly vocabLimit: number;
  /** Tokenize a prompt, adding the tokenizer's BOS when it has one (and `addBos` is not false). */
  encodePrompt(text: string, addBos?: boolean): number[];
  /** Sample a continuation of a text prompt. */
  generate(opts: TextGenerateOptions): TextGeneration;
  /** Teacher-forced scores of a token sequence (see {@link scoreTokens}). */
  score(opts: { tokens: readonly number[]; from?: number; topK?: number }): TokenScores;
  /** A new session (KV cache) for step-by-step use. */
  newSession(capacity?: number): InferenceSession;
}

/** Options of {@link LocalModel.generate}. */
export interface TextGenerateOptions {
  /** Prompt text, or token ids (used as given). */
  readonly prompt: string | readonly number[];
  readonly maxNewTokens: number;
  readonly sampling?: SamplingOptions;
  readonly seed?: number | bigint;
  readonly rng?: Rng;
  readonly chooser?: TokenChooser;
  /** Stop at the tokenizer's EOS (default true when it has one). */
  readonly stopAtEos?: boolean;
  readonly logprobs?: boolean;
  readonly addBos?: boolean;
}

/** A text generation. */
export interface TextGeneration extends GenerationResult {
  /** Decoded new tokens (lossy where they are not valid UTF-8; keep `tokens` for exactness). */
  readonly text: string;
  readonly promptTokens: number[];
}

/** Options of {@link loadLocalModel}. */
export interface LoadLocalModelOptions {
  /** Model directory, file, `hf:org/name`, `ollama:name` or URL (see `openModel`). */
  readonly model: string;
  /** `bytes`, a tokenizer.json path, or a tokenizer; default the model's own. */
  readonly tokenizer?: string | Tokenizer;
  readonly ropeLayout?: 'auto' | RopeLayout;
  readonly resolve?: ResolveOptions;
}

/** Pick the tokenizer for a model when the caller did not name one. */
async function defaultTokenizer(
  tokenizerFile: string | null | undefined,
  vocab: number,
  spec: string,
): Promise<Tokenizer> {
  if (tokenizerFile) return loadTokenizer(tokenizerFile);
  if (vocab === 256) return byteTokenizer();
  throw new EngineError(
    'BAD_TOKENIZER',
    `model has ${vocab} tokens and no tokenizer.json beside it; name one with --tokenizer`,
    { where: { file: spec } },
  );
}

/** Load a model and its tokenizer into memory (the model files are closed afterwards). */
export async function loadLocalModel(opts: LoadLocalModelOptions): Promise<LocalModel> {
  const view = await openModel(opts.model, opts.resolve ?? {});
  let weights: LlamaWeights;
  let tokenizerFile: string | null | undefined;
  try {
    weights = await loadWeights(view, opts.ropeLayout ? { ropeLayout: opts.ropeLayout } : {});
    tokenizerFile = view.resolved.tokenizerFile;
  } finally {
    await view.close();
  }
  const tokenizer =
    typeof opts.tokenizer === 'string'
      ? await loadTokenizer(opts.tokenizer)
      : (opts.tokenizer ??
        (await defaultTokenizer(tokenizerFile, weights.config.vocabSize, opts.model)));
  return localModel(opts.model, weights, tokenizer);
}

/** Wrap weights already in memory with a tokenizer. */
export function localModel(spec: string, weights: LlamaWeights, tokenizer: Tokenizer): LocalModel {
  const c = weights.config;
  if (tokenizer.vocabSize > c.vocabSize) {
    throw new EngineError(
      'BAD_TOKENIZER',
      `tokenizer has ${tokenizer.vocabSize} tokens but the model embeds only ${c.vocabSize}`,
      { where: { file: spec, field: 'vocab_size' } },
    );
  }
  const vocabLimit = Math.min(tokenizer.vocabSize, c.logitsSize);
  const encodePrompt = (text: string, addBos = true): number[] => {
    const ids = tokenizer.encode(text);
    return addBos && tokenizer.bosId !== null ? [tokenizer.bosId, ...ids] : ids;
  };
  return {
    spec,
    weights,
    tokenizer,
    vocabLimit,
    encodePrompt,
    generate(o: TextGenerateOptions): TextGeneration {
      const promptTokens =
        typeof o.prompt === 'string' ? encodePrompt(o.prompt, o.addBos ?? true) : [...o.prompt];
      const stop = (o.stopAtEos ?? true) && tokenizer.eosId !== null ? [tokenizer.eosId] : [];
      const r = generateTokens(weights, {
        prompt: promptTokens,
        maxNewTokens: o.maxNewTokens,
        vocabLimit,
        stopTokens: stop,
        ...(o.sampling ? { sampling: o.sampling } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.rng ? { rng: o.rng } : {}),
        ...(o.chooser ? { chooser: o.chooser } : {}),
        ...(o.logprobs ? { logprobs: true } : {}),
      });
      return { ...r, text: tokenizer.decode(r.tokens), promptTokens };
    },
    score: (o) => scoreTokens(weights, { ...o, vocabLimit }),
    newSession: (capacity) => createSession(weights, capacity !== undefined ? { capacity } : {}),
  };
}
