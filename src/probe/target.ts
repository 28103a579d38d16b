/**
 * The thing a probe talks to: a `ProbeTarget` answers a text prompt with a completion, and with
 * per-token log-probabilities when it can. OpenAI-compatible endpoints (completions or chat) and
 * local models behind the reference engine both implement it, so every statistic downstream is
 * written once against plain text.
 */

/** Sampling parameters of one request. Part of the cache key: change one, get a new answer. */
export interface GenerationParams {
  /** Most tokens to generate (the endpoint's own tokens; text-level statistics normalise). */
  readonly maxTokens: number;
  /** 0 = greedy. */
  readonly temperature: number;
  /** Sampling seed, sent to endpoints that accept one and used by local targets. */
  readonly seed?: number;
  /** Ask for this many alternatives per generated token (0 or absent: no log-probabilities). */
  readonly topLogprobs?: number;
}

/** One prompt to send. */
export interface ProbeRequest {
  readonly prompt: string;
  readonly params: GenerationParams;
  /**
   * Extra cache-key material that the target never sees. Sentinel re-asks use it so that the
   * same prompt asked again later is a distinct, separately cached (and replayable) query.
   */
  readonly slot?: string;
}

/** One alternative token with its log-probability (natural log). */
export interface TopLogprob {
  readonly token: string;
  readonly logprob: number;
}

/** Log-probabilities at one generated position. */
export interface TokenLogprobs {
  readonly token: string;
  readonly logprob: number;
  /** The most likely alternatives at this position, most likely first. */
  readonly top: readonly TopLogprob[];
}

/** What a target answered. */
export interface ProbeResponse {
  readonly text: string;
  /** `stop`, `length`, `content_filter`, ... as the endpoint reported it; null if it did not. */
  readonly finishReason: string | null;
  /** Per generated position, when asked for and offered. */
  readonly logprobs: readonly TokenLogprobs[] | null;
  /** The model name the endpoint says it served (OpenAI `model` field), if any. */
  readonly servedModel: string | null;
  /** `system_fingerprint` or, for local models, the weights digest. */
  readonly fingerprint: string | null;
}

/** How a target is reached. */
export type TargetKind = 'openai-completions' | 'openai-chat' | 'local';

/** A description of a target for verdicts and audits (never contains credentials). */
export interface TargetInfo {
  /** Stable identity used in cache keys: endpoint + model + mode, or the weights digest. */
  readonly id: string;
  /** Short human label (`--suspect` as typed, minus secrets). */
  readonly label: string;
  readonly kind: TargetKind;
  /** Endpoint base URL (credentials stripped) or local model path. */
  readonly location: string;
  /** Model name sent to the endpoint, or the local model's directory name. */
  readonly model: string;
  /** Whether per-token log-probabilities can be requested. */
  readonly logprobs: boolean;
  /** Most alternatives per position the target can return (0 when no log-probabilities). */
  readonly maxTopLogprobs: number;
  /** SHA-256 of the local weights, when known. */
  readonly digest?: string;
}

/** Anything the probe can query. */
export interface ProbeTarget {
  /** Description; `info.id` keys the response cache. */
  readonly info: TargetInfo;
  /** Answer one prompt. Throws {@link ProbeError} on failure after the target's own retries. */
  complete(req: ProbeRequest, signal?: AbortSignal): Promise<ProbeResponse>;
  /** Release sockets, files or model memory. */
  close(): Promise<void>;
}
