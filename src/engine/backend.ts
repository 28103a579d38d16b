/**
 * One interface over "something that continues text": a local model or an OpenAI-compatible
 * endpoint. Audits (radioactivity API mode, black-box probes) are written against it so the same
 * code runs on a zoo model in tests and on a real server in production.
 */
import { EngineError } from './errors.js';
import type { LocalModel } from './local.js';
import type { OpenAIClient, TokenLogprob } from './openai.js';

/** A continuation request. */
export interface BackendRequest {
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly seed?: number;
  /** Ask for this many alternatives per token when the backend can give them (0: none). */
  readonly topLogprobs?: number;
}

/** A continuation. */
export interface BackendCompletion {
  readonly text: string;
  /** Token ids when the backend is local (exact); null for remote servers (re-tokenize `text`). */
  readonly tokenIds: readonly number[] | null;
  /** Per-token log-probabilities when available. */
  readonly logprobs: readonly TokenLogprob[] | null;
  readonly finishReason: string | null;
}

/** Something that continues text. */
export interface TextBackend {
  /** A label for reports (model spec or endpoint URL + model). */
  readonly name: string;
  readonly kind: 'local' | 'openai-completions' | 'openai-chat';
  complete(req: BackendRequest, signal?: AbortSignal): Promise<BackendCompletion>;
}

/** A backend over a local model (sampling seeded by `seed`, default 0). */
export function localBackend(m: LocalModel): TextBackend {
  return {
    name: m.spec,
    kind: 'local',
    complete(req) {
      const g = m.generate({
        prompt: req.prompt,
        maxNewTokens: req.maxTokens,
        sampling: {
          ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
          ...(req.topP !== undefined ? { topP: req.topP } : {}),
          ...(req.topK !== undefined ? { topK: req.topK } : {}),
        },
        seed: req.seed ?? 0,
        logprobs: true,
      });
      const lps = g.logprobs ?? [];
      return Promise.resolve({
        text: g.text,
        tokenIds: g.tokens,
        logprobs: g.tokens.map((id, i) => ({
          token: m.tokenizer.tokenText(id) ?? '',
          logprob: lps[i] ?? null,
          bytes: null,
          top: [],
        })),
        finishReason: g.finishReason,
      });
    },
  };
}

/** Options of {@link openAIBackend}. */
export interface OpenAIBackendOptions {
  /** `completions` sends the prompt raw; `chat` sends it as one user message (default). */
  readonly mode?: 'completions' | 'chat';
  readonly model?: string;
  readonly system?: string;
}

/** A backend over an OpenAI-compatible server. */
export function openAIBackend(client: OpenAIClient, opts: OpenAIBackendOptions = {}): TextBackend {
  const mode = opts.mode ?? 'chat';
  const top = (n: number | undefined): number => Math.max(0, Math.min(n ?? 0, 20));
  return {
    name: `${client.baseUrl}${opts.model ? ` (${opts.model})` : ''}`,
    kind: mode === 'chat' ? 'openai-chat' : 'openai-completions',
    async complete(req, signal) {
      const common = {
        maxTokens: req.maxTokens,
        ...(opts.model !== undefined ? { model: opts.model } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.topP !== undefined ? { topP: req.topP } : {}),
        ...(req.topK !== undefined ? { topK: req.topK } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
      };
      const r =
        mode === 'chat'
          ? await client.chat(
              {
                ...common,
                messages: [
                  ...(opts.system ? [{ role: 'system' as const, content: opts.system }] : []),
                  { role: 'user' as const, content: req.prompt },
                ],
                logprobs: true,
                topLogprobs: top(req.topLogprobs),
              },
              signal,
            )
          : await client.complete(
              { ...common, prompt: req.prompt, logprobs: Math.min(5, top(req.topLogprobs)) },
              signal,
            );
      const c = r.choices[0];
      if (!c)
        throw new EngineError('BAD_RESPONSE', 'the server returned no choices', {
          where: { file: client.baseUrl },
        });
      return { text: c.text, tokenIds: null, logprobs: c.logprobs, finishReason: c.finishReason };
    },
  };
}
