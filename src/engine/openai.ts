/**
 * A client for OpenAI-compatible HTTP servers (OpenAI, vLLM, llama.cpp server, Ollama, SGLang,
 * TGI): `POST /completions`, `POST /chat/completions`, `GET /models`, with log-probabilities when
 * the server offers them, timeouts, bounded response sizes, and retries with exponential backoff
 * and full jitter that honour `Retry-After` (RFC 9110 §10.2.3).
 *
 * Wire format: OpenAI API reference, "Completions" (legacy) and "Chat Completions"
 * (https://platform.openai.com/docs/api-reference). Every answer is validated with zod; fields
 * servers commonly omit are optional.
 */
import { z } from 'zod';
import { EngineError } from './errors.js';

/** Largest response body read (a long completion with top-20 logprobs is a few MB). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Longest `Retry-After` honoured; a server asking for more is treated as a failure. */
export const MAX_RETRY_AFTER_MS = 120_000;
/** Most retries a client may be configured for (bounds a stuck audit). */
export const MAX_RETRIES = 20;

/** Options of {@link createOpenAIClient}. */
export interface OpenAIClientOptions {
  /** e.g. `http://127.0.0.1:8000/v1`; a bare origin gets `/v1` appended. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** Default model name sent with each request. */
  readonly model?: string;
  /** Per-attempt timeout (default 120 s). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  readonly maxRetries?: number;
  /** First backoff delay (default 500 ms), doubled per retry up to `maxBackoffMs` (default 20 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Extra headers (e.g. organisation). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Injected for tests: the fetch implementation, the sleep function and the jitter source. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** One sampled token with its log-probability and the alternatives the server returned. */
export interface TokenLogprob {
  readonly token: string;
  /** Null when the server could not score it (e.g. the first echoed token). */
  readonly logprob: number | null;
  /** UTF-8 bytes of the token when the server gives them (chat API). */
  readonly bytes: readonly number[] | null;
  readonly top: readonly { readonly token: string; readonly logprob: number }[];
}

/** Shared sampling fields of both endpoints. */
export interface SamplingRequest {
  readonly model?: string;
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topP?: number;
  /** Not in the OpenAI spec; vLLM, llama.cpp and Ollama accept it. */
  readonly topK?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly n?: number;
  /** Extra JSON fields passed through (e.g. vLLM `min_p`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** `POST /completions`. */
export interface CompletionRequest extends SamplingRequest {
  readonly prompt: string;
  /** Number of top log-probabilities per token (legacy API: up to 5; 0 = only the sampled one). */
  readonly logprobs?: number;
  /** Return the prompt's tokens too (teacher-forced scoring on servers that support it). */
  readonly echo?: boolean;
}

/** A chat message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'developer' | 'tool';
  readonly content: string;
}

/** `POST /chat/completions`. */
export interface ChatRequest extends SamplingRequest {
  readonly messages: readonly ChatMessage[];
  readonly logprobs?: boolean;
  /** 0–20 alternatives per token. */
  readonly topLogprobs?: number;
}

/** One choice of either endpoint, normalised. */
export interface CompletionChoice {
  readonly index: number;
  readonly text: string;
  readonly finishReason: string | null;
  /** Null when the server did not return log-probabilities (not offered or not asked). */
  readonly logprobs: readonly TokenLogprob[] | null;
}

/** A normalised response. */
export interface CompletionResult {
  readonly id: string | null;
  readonly model: string | null;
  readonly choices: readonly CompletionChoice[];
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number } | null;
  /** Attempts made (1 + retries). */
  readonly attempts: number;
}

/** A client bound to one server. */
export interface OpenAIClient {
  readonly baseUrl: string;
  complete(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult>;
  chat(req: ChatRequest, signal?: AbortSignal): Promise<CompletionResult>;
  /** Model ids the server lists. */
  models(signal?: AbortSignal): Promise<string[]>;
}

const usageSchema = z
  .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })

  .nullish();

const legacyLogprobs = z
  .object({
    tokens: z.array(z.string()),
    token_logprobs: z.array(z.number().nullable()),
    top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
  })

  .nullish();

const completionSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      index: z.number().int().nonnegative().optional(),
      text: z.string(),
      finish_reason: z.string().nullish(),
      logprobs: legacyLogprobs,
    }),
  ),
  usage: usageSchema,
});

const chatTop = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullish(),
});

const chatSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      index: z.number().int().nonnegative().optional(),
      message: z.object({ content: z.string().nullish() }),
      finish_reason: z.string().nullish(),
      logprobs: z
        .object({
          content: z.array(chatTop.extend({ top_logprobs: z.array(chatTop).nullish() })).nullish(),
        })

        .nullish(),
    }),
  ),
  usage: usageSchema,
});

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/** Statuses worth retrying: timeouts, conflicts, rate limits and transient server errors. */
const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

function normaliseBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new EngineError('BAD_OPTIONS', `"${url}" is not a URL`, {
      where: { field: 'baseUrl' },
      cause: e,
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new EngineError('BAD_OPTIONS', `unsupported protocol ${u.protocol}`, {
      where: { field: 'baseUrl' },
    });
  let s = u.toString().replace(/\/+$/, '');
  if (u.pathname === '/' || u.pathname === '') s += '/v1';
  return s;
}

/** Parse `Retry-After` (delta-seconds or HTTP-date) into milliseconds, or null. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | null {
  if (v === null) return null;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const d = Date.parse(t);
  return Number.isNaN(d) ? null : Math.max(0, d - now);
}

async function readBounded(res: Response, url: string): Promise<string> {
  const len = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(len) && len > MAX_RESPONSE_BYTES) {
    await res.body?.cancel();
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `response of ${len} bytes exceeds ${MAX_RESPONSE_BYTES}`,
      {
        where: { file: url },
      },
    );
  }
  if (!res.body) return '';
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    const value = chunk.value;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new EngineError('LIMIT_EXCEEDED', `response exceeds ${MAX_RESPONSE_BYTES} bytes`, {
        where: { file: url },
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function checkSamplingRequest(r: SamplingRequest): void {
  if (!Number.isInteger(r.maxTokens) || r.maxTokens < 0)
    throw new EngineError(
      'BAD_OPTIONS',
      `maxTokens ${r.maxTokens} must be a non-negative integer`,
      {
        where: { field: 'maxTokens' },
      },
    );
}

function samplingBody(r: SamplingRequest, model: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = { ...(r.extra ?? {}) };
  const m = r.model ?? model;
  if (m !== undefined) body['model'] = m;
  body['max_tokens'] = r.maxTokens;
  if (r.temperature !== undefined) body['temperature'] = r.temperature;
  if (r.topP !== undefined) body['top_p'] = r.topP;
  if (r.topK !== undefined) body['top_k'] = r.topK;
  if (r.seed !== undefined) body['seed'] = r.seed;
  if (r.stop !== undefined) body['stop'] = [...r.stop];
  if (r.n !== undefined) body['n'] = r.n;
  body['stream'] = false;
  return body;
}

/** Create a client. Nothing is sent until a method is called. */
export function createOpenAIClient(opts: OpenAIClientOptions): OpenAIClient {
  const base = normaliseBase(opts.baseUrl);
  const maxRetries = opts.maxRetries ?? 4;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES)
    throw new EngineError('BAD_OPTIONS', `maxRetries must be in [0, ${MAX_RETRIES}]`, {
      where: { field: 'maxRetries' },
    });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  if (!(timeoutMs > 0))
    throw new EngineError('BAD_OPTIONS', 'timeoutMs must be positive', {
      where: { field: 'timeoutMs' },
    });
  const initial = opts.initialBackoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 20_000;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;

  const request = async (
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<{ json: unknown; attempts: number }> => {
    const url = `${base}${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(opts.headers ?? {}),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.apiKey) headers['authorization'] = `Bearer ${opts.apiKey}`;
    let lastError: EngineError | null = null;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        const retryAfter = lastError?.details?.['retryAfterMs'];
        const backoff = Math.min(maxBackoff, initial * 2 ** (attempt - 1)) * random();
        await sleep(typeof retryAfter === 'number' ? Math.max(retryAfter, backoff) : backoff);
      }
      if (signal?.aborted)
        throw new EngineError('TIMEOUT', 'request aborted by the caller', { where: { file: url } });
      const timer = AbortSignal.timeout(timeoutMs);
      const sig = signal ? AbortSignal.any([signal, timer]) : timer;
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: sig,
        });
      } catch (e) {
        if (signal?.aborted)
          throw new EngineError('TIMEOUT', 'request aborted by the caller', {
            where: { file: url },
            cause: e,
          });
        lastError = timer.aborted
          ? new EngineError('TIMEOUT', `no answer within ${timeoutMs} ms`, {
              where: { file: url },
              cause: e,
            })
          : new EngineError('NETWORK', `request failed: ${(e as Error).message}`, {
              where: { file: url },
              cause: e,
            });
        continue;
      }
      let text: string;
      try {
        text = await readBounded(res, url);
      } catch (e) {
        if (e instanceof EngineError) throw e;
        lastError = new EngineError(
          timer.aborted ? 'TIMEOUT' : 'NETWORK',
          `reading the answer failed: ${(e as Error).message}`,
          {
            where: { file: url },
            cause: e,
          },
        );
        continue;
      }
      if (!res.ok) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        const err = new EngineError('HTTP_STATUS', `HTTP ${res.status}: ${text.slice(0, 300)}`, {
          where: { file: url },
          details: { status: res.status, ...(retryAfterMs !== null ? { retryAfterMs } : {}) },
        });
        if (!RETRYABLE.has(res.status)) throw err;
        if (retryAfterMs !== null && retryAfterMs > MAX_RETRY_AFTER_MS) throw err;
        lastError = err;
        continue;
      }
      try {
        return { json: JSON.parse(text) as unknown, attempts: attempt + 1 };
      } catch (e) {
        throw new EngineError('BAD_RESPONSE', 'answer is not JSON', {
          where: { file: url },
          cause: e,
        });
      }
    }
    throw lastError ?? new EngineError('NETWORK', 'request failed', { where: { file: url } });
  };

  const parse = <T>(schema: z.ZodType<T>, json: unknown, path: string): T => {
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new EngineError(
        'BAD_RESPONSE',
        `answer does not match the OpenAI schema: ${issue?.message ?? ''}`,
        {
          where: { file: `${base}${path}`, field: issue ? issue.path.join('.') : '' },
        },
      );
    }
    return r.data;
  };

  const usageOf = (
    u:
      | { prompt_tokens?: number | undefined; completion_tokens?: number | undefined }
      | null
      | undefined,
  ): CompletionResult['usage'] =>
    u ? { promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0 } : null;

  return {
    baseUrl: base,
    async complete(req, signal) {
      checkSamplingRequest(req);
      const body = samplingBody(req, opts.model);
      body['prompt'] = req.prompt;
      if (req.logprobs !== undefined) body['logprobs'] = req.logprobs;
      if (req.echo) body['echo'] = true;
      const { json, attempts } = await request('POST', '/completions', body, signal);
      const r = parse(completionSchema, json, '/completions');
      return {
        id: r.id ?? null,
        model: r.model ?? null,
        usage: usageOf(r.usage),
        attempts,
        choices: r.choices.map((c, i) => ({
          index: c.index ?? i,
          text: c.text,
          finishReason: c.finish_reason ?? null,
          logprobs: c.logprobs
            ? c.logprobs.tokens.map((token, j) => ({
                token,
                logprob: c.logprobs?.token_logprobs[j] ?? null,
                bytes: null,
                top: Object.entries(c.logprobs?.top_logprobs?.[j] ?? {})
                  .map(([t, lp]) => ({ token: t, logprob: lp }))
                  .sort((a, b) => b.logprob - a.logprob),
              }))
            : null,
        })),
      };
    },
    async chat(req, signal) {
      checkSamplingRequest(req);
      const body = samplingBody(req, opts.model);
      body['messages'] = req.messages.map((m) => ({ role: m.role, content: m.content }));
      if (req.logprobs) {
        body['logprobs'] = true;
        if (req.topLogprobs !== undefined) body['top_logprobs'] = req.topLogprobs;
      }
      const { json, attempts } = await request('POST', '/chat/completions', body, signal);
      const r = parse(chatSchema, json, '/chat/completions');
      return {
        id: r.id ?? null,
        model: r.model ?? null,
        usage: usageOf(r.usage),
        attempts,
        choices: r.choices.map((c, i) => ({
          index: c.index ?? i,
          text: c.message.content ?? '',
          finishReason: c.finish_reason ?? null,
          logprobs: c.logprobs?.content
            ? c.logprobs.content.map((t) => ({
                token: t.token,
                logprob: t.logprob,
                bytes: t.bytes ?? null,
                top: (t.top_logprobs ?? []).map((x) => ({ token: x.token, logprob: x.logprob })),
              }))
            : null,
        })),
      };
    },
    async models(signal) {
      const { json } = await request('GET', '/models', undefined, signal);
      return parse(modelsSchema, json, '/models').data.map((m) => m.id);
    },
  };
}
