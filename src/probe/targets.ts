/**
 * Concrete targets: local models through the reference engine (`src/engine`), and
 * OpenAI-compatible endpoints (chat or legacy completions) through the engine's HTTP client,
 * which retries 408/429/5xx and connection failures with exponential backoff and full jitter and
 * honours `Retry-After` (RFC 9110 §10.2.3). Target specs are parsed here, once, for the CLI and
 * the library alike.
 *
 * Spec grammar (options go in the URL fragment, which HTTP never sends to the server):
 *   local:<model-spec>[#seed=N&label=L]        a model directory, file, hf:…, ollama:… or URL
 *   <path-or-hf:-or-ollama:-spec>[#…]          the same, without the prefix
 *   http(s)://host/v1#model=M&mode=chat|completions&key-env=VAR&logprobs=K&label=L&retries=R
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import {
  createOpenAIClient,
  loadLocalModel,
  EngineError,
  type LocalModel,
  type OpenAIClient,
  type CompletionResult,
} from '../engine/index.js';
import { resolveModel } from '../sources/index.js';
import { startWorker } from '../util/workers.js';
import { CustomsError } from '../errors.js';
import { ProbeError } from './errors.js';
import { canonicalJson, sha256Hex } from './hash.js';
import type {
  ProbeRequest,
  ProbeResponse,
  ProbeTarget,
  TargetInfo,
  TokenLogprobs,
} from './target.js';

/** Most retries a remote target may be configured for (bounds a stuck run). */
export const MAX_TARGET_RETRIES = 20;
/** Longest target spec accepted (a spec is a path or URL plus a few options). */
export const MAX_TARGET_SPEC_CHARS = 2048;
/** Most alternatives per token a target can be told it offers (OpenAI's own ceiling). */
export const MAX_TARGET_TOP_LOGPROBS = 20;

/** A parsed target spec. */
export type TargetSpec =
  | {
      readonly kind: 'local';
      readonly model: string;
      /** Added to every request's sampling seed: the same model under another seed. */
      readonly seedOffset: number;
      readonly label: string;
    }
  | {
      readonly kind: 'openai-chat' | 'openai-completions';
      readonly baseUrl: string;
      readonly model: string | null;
      /** Name of the environment variable holding the API key (never the key itself). */
      readonly keyEnv: string | null;
      /** Alternatives per token the endpoint offers (0 = it gives no log-probabilities). */
      readonly logprobs: number;
      readonly retries: number;
      readonly timeoutMs: number;
      readonly label: string;
    };

function badSpec(spec: string, msg: string, field?: string): never {
  throw new ProbeError('BAD_TARGET', msg, {
    where: { file: spec.slice(0, 200), ...(field ? { field } : {}) },
  });
}

function intOption(spec: string, name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
    badSpec(spec, `option ${name}=${v}: expected an integer in [${min}, ${max}]`, name);
  return n;
}

/** Parse a target spec (see the module comment for the grammar). */
export function parseTargetSpec(spec: string): TargetSpec {
  if (typeof spec !== 'string' || spec.trim() === '') badSpec(String(spec), 'empty target spec');
  if (spec.length > MAX_TARGET_SPEC_CHARS)
    badSpec(spec, `target spec longer than ${MAX_TARGET_SPEC_CHARS} characters`);
  const hash = spec.indexOf('#');
  const head = hash >= 0 ? spec.slice(0, hash) : spec;
  const opts = new Map<string, string>();
  if (hash >= 0) {
    for (const part of spec.slice(hash + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) badSpec(spec, `option "${part}" is not name=value`);
      const k = part.slice(0, eq);
      let v: string;
      try {
        v = decodeURIComponent(part.slice(eq + 1));
      } catch {
        badSpec(spec, `option ${k} is not URL-encoded`, k);
      }
      if (opts.has(k)) badSpec(spec, `option ${k} given twice`, k);
      opts.set(k, v);
    }
  }
  const take = (k: string): string | undefined => {
    const v = opts.get(k);
    opts.delete(k);
    return v;
  };
  const label = take('label');
  let result: TargetSpec;
  if (/^https?:\/\//i.test(head)) {
    let url: URL;
    try {
      url = new URL(head);
    } catch {
      badSpec(spec, 'not a valid URL');
    }
    if (url.username || url.password)
      badSpec(spec, 'put credentials in an environment variable (key-env=VAR), not in the URL');
    const mode = take('mode') ?? 'chat';
    if (mode !== 'chat' && mode !== 'completions')
      badSpec(spec, `mode must be chat or completions, not ${mode}`, 'mode');
    const keyEnv = take('key-env') ?? null;
    if (keyEnv !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv))
      badSpec(spec, 'key-env must name an environment variable', 'key-env');
    const lp = take('logprobs');
    const retries = take('retries');
    const timeout = take('timeout-ms');
    const model = take('model') ?? null;
    const base = url.toString().replace(/\/+$/, '');
    result = {
      kind: mode === 'chat' ? 'openai-chat' : 'openai-completions',
      baseUrl: base,
      model,
      keyEnv,
      logprobs:
        lp === undefined
          ? mode === 'chat'
            ? MAX_TARGET_TOP_LOGPROBS
            : 5
          : intOption(spec, 'logprobs', lp, 0, MAX_TARGET_TOP_LOGPROBS),
      retries:
        retries === undefined ? 6 : intOption(spec, 'retries', retries, 0, MAX_TARGET_RETRIES),
      timeoutMs:
        timeout === undefined ? 120_000 : intOption(spec, 'timeout-ms', timeout, 100, 600_000),
      label: label ?? `${base}${model ? ` (${model})` : ''}`,
    };
  } else {
    const model = head.startsWith('local:') ? head.slice('local:'.length) : head;
    if (model === '') badSpec(spec, 'local target without a model');
    const seed = take('seed');
    const seedOffset = seed === undefined ? 0 : intOption(spec, 'seed', seed, 0, 2 ** 31 - 1);
    result = {
      kind: 'local',
      model,
      seedOffset,
      label:
        label ?? `${basename(model.replace(/\/+$/, '')) || model}${seed ? `#seed=${seed}` : ''}`,
    };
  }
  if (opts.size > 0) badSpec(spec, `unknown option ${[...opts.keys()].join(', ')}`);
  return result;
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** SHA-256 over the model's weight, config and tokenizer files (names and contents). */
export async function localModelDigest(model: string): Promise<string | undefined> {
  const r = await resolveModel(model);
  if (r.remote) return undefined;
  const files = [...r.weightFiles, r.configFile, r.tokenizerFile, r.indexFile].filter(
    (f): f is string => typeof f === 'string',
  );
  const parts: { name: string; sha256: string }[] = [];
  for (const f of files) parts.push({ name: basename(f), sha256: await fileSha256(f) });
  return sha256Hex(canonicalJson(parts));
}

function wrapEngineError(e: unknown, info: TargetInfo): never {
  throw toProbeError(e, info);
}

/** Map an engine or model error to a probe error naming the target; other errors pass through. */
function toProbeError(e: unknown, info: TargetInfo): Error {
  if (e instanceof ProbeError) return e;
  if (e instanceof EngineError) {
    const status = e.details?.['status'];
    const code =
      e.code === 'HTTP_STATUS' && status === 429
        ? 'RATE_LIMITED'
        : e.code === 'HTTP_STATUS'
          ? typeof status === 'number' && status >= 500
            ? 'UNREACHABLE'
            : 'HTTP_STATUS'
          : e.code === 'NETWORK' || e.code === 'TIMEOUT'
            ? 'UNREACHABLE'
            : e.code === 'BAD_RESPONSE'
              ? 'BAD_RESPONSE'
              : 'MODEL';
    return new ProbeError(code, `${info.label}: ${e.message}`, {
      where: { file: info.location },
      cause: e,
      ...(e.details ? { details: e.details } : {}),
    });
  }
  if (e instanceof CustomsError)
    return new ProbeError('MODEL', `${info.label}: ${e.message}`, {
      where: { file: info.location },
      cause: e,
    });
  return e instanceof Error ? e : new Error(String(e));
}

/** Options of {@link openLocalTarget}. */
export interface LocalTargetOptions {
  /** Run the model in its own worker thread (targets then generate in parallel). */
  readonly worker?: boolean;
}

/** A local model as a target. Sampling is seeded by `offsetSeed(request seed, seedOffset)`. */
export async function openLocalTarget(
  spec: Extract<TargetSpec, { kind: 'local' }>,
  opts: LocalTargetOptions = {},
): Promise<ProbeTarget> {
  if (opts.worker) return openWorkerTarget(spec);
  let model: LocalModel;
  let digest: string | undefined;
  try {
    model = await loadLocalModel({ model: spec.model });
    digest = await localModelDigest(spec.model);
  } catch (e) {
    if (e instanceof CustomsError)
      throw new ProbeError('MODEL', `cannot load ${spec.model}: ${e.message}`, {
        where: { file: spec.model },
        cause: e,
      });
    throw e;
  }
  const info = localInfo(spec, digest);
  return {
    info,
    complete(req: ProbeRequest): Promise<ProbeResponse> {
      try {
        return Promise.resolve(localComplete(model, req, spec.seedOffset, info));
      } catch (e) {
        return Promise.reject(toProbeError(e, info));
      }
    },
    close: () => Promise.resolve(),
  };
}

function localInfo(
  spec: Extract<TargetSpec, { kind: 'local' }>,
  digest: string | undefined,
): TargetInfo {
  return {
    id: `local:${digest ? `sha256:${digest}` : spec.model}${spec.seedOffset ? `#seed=${spec.seedOffset}` : ''}`,
    label: spec.label,
    kind: 'local',
    location: spec.model,
    model: basename(spec.model.replace(/\/+$/, '')) || spec.model,
    logprobs: true,
    maxTopLogprobs: MAX_TARGET_TOP_LOGPROBS,
    ...(digest ? { digest } : {}),
  };
}

interface WorkerReply {
  readonly id: number;
  readonly resp?: ProbeResponse;
  readonly error?: { readonly code: string; readonly message: string };
}

/** A local target whose model runs in a worker thread. */
async function openWorkerTarget(
  spec: Extract<TargetSpec, { kind: 'local' }>,
): Promise<ProbeTarget> {
  let digest: string | undefined;
  try {
    digest = await localModelDigest(spec.model);
  } catch (e) {
    if (e instanceof CustomsError)
      throw new ProbeError('MODEL', `cannot load ${spec.model}: ${e.message}`, {
        where: { file: spec.model },
        cause: e,
      });
    throw e;
  }
  const info = localInfo(spec, digest);
  const worker = startWorker(new URL('./local-worker.ts', import.meta.url), {
    model: spec.model,
    seedOffset: spec.seedOffset,
    info,
  });
  const pending = new Map<
    number,
    { resolve: (r: ProbeResponse) => void; reject: (e: unknown) => void }
  >();
  let failure: Error | null = null;
  let next = 0;
  worker.on('message', (m: WorkerReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.resp) p.resolve(m.resp);
    else
      p.reject(
        new ProbeError('MODEL', `${info.label}: ${m.error?.message ?? 'worker failed'}`, {
          where: { file: info.location },
          details: { engineCode: m.error?.code ?? 'MODEL' },
        }),
      );
  });
  worker.on('error', (e: Error) => {
    failure = e;
    for (const p of pending.values())
      p.reject(
        new ProbeError('MODEL', `${info.label}: worker crashed: ${e.message}`, { cause: e }),
      );
    pending.clear();
  });
  return {
    info,
    complete(req) {
      if (failure)
        return Promise.reject(
          new ProbeError('MODEL', `${info.label}: worker crashed: ${failure.message}`),
        );
      const id = next++;
      return new Promise<ProbeResponse>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, req });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** Odd 32-bit multiplier (2^32 / golden ratio) that spreads seed offsets over the seed space. */
const SEED_OFFSET_MIX = 0x9e3779b1;

/**
 * The sampling seed a local target with `#seed=N` uses for a request seed. Zero leaves the seed
 * unchanged. Otherwise the offset is spread by a multiplicative hash and XOR-ed in, which moves a
 * request seed far from its neighbours (for ordinary offsets; the test checks a range of them) —
 * the kernel family asks seed, seed+1, … for one prompt: with plain addition, `#seed=1` would
 * share all but one kernel sample with the unshifted model, and a "same model under another seed"
 * check would compare mostly identical text.
 */
export function offsetSeed(seed: number, seedOffset: number): number {
  if (seedOffset === 0) return seed >>> 0;
  return (seed ^ Math.imul(seedOffset, SEED_OFFSET_MIX)) >>> 0;
}

/** Generate (and score, when log-probabilities are asked) with a local model. */
export function localComplete(
  model: LocalModel,
  req: ProbeRequest,
  seedOffset: number,
  info: TargetInfo,
): ProbeResponse {
  const p = req.params;
  const prompt = model.encodePrompt(req.prompt);
  if (prompt.length === 0)
    throw new ProbeError('BAD_OPTION', 'empty prompt', { where: { field: 'prompt' } });
  const g = model.generate({
    prompt,
    maxNewTokens: p.maxTokens,
    sampling: { temperature: p.temperature },
    seed: offsetSeed(p.seed ?? 0, seedOffset),
  });
  const k = Math.min(p.topLogprobs ?? 0, MAX_TARGET_TOP_LOGPROBS, model.vocabLimit);
  let logprobs: TokenLogprobs[] | null = null;
  if (k > 0 && g.tokens.length > 0) {
    const s = model.score({ tokens: [...prompt, ...g.tokens], from: prompt.length, topK: k });
    logprobs = g.tokens.map((id, i) => {
      const top: { token: string; logprob: number }[] = [];
      for (let j = 0; j < k; j++) {
        const tid = s.topIds?.[i * k + j];
        const lp = s.topLogprobs?.[i * k + j];
        if (tid === undefined || lp === undefined) continue;
        top.push({ token: model.tokenizer.tokenText(tid) ?? '', logprob: lp });
      }
      return {
        token: model.tokenizer.tokenText(id) ?? '',
        logprob: s.logprobs[i] ?? -Infinity,
        top,
      };
    });
  }
  return {
    text: g.text,
    finishReason: g.finishReason,
    logprobs,
    servedModel: info.model,
    fingerprint: info.digest ?? null,
  };
}

/** An OpenAI-compatible endpoint as a target. */
export function openRemoteTarget(
  spec: Extract<TargetSpec, { kind: 'openai-chat' | 'openai-completions' }>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  inject: { fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> } = {},
): ProbeTarget {
  let apiKey: string | undefined;
  if (spec.keyEnv !== null) {
    apiKey = env[spec.keyEnv];
    if (apiKey === undefined || apiKey === '')
      throw new ProbeError('BAD_TARGET', `environment variable ${spec.keyEnv} is not set`, {
        where: { file: spec.baseUrl, field: 'key-env' },
      });
  }
  const client: OpenAIClient = createOpenAIClient({
    baseUrl: spec.baseUrl,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(spec.model !== null ? { model: spec.model } : {}),
    maxRetries: spec.retries,
    timeoutMs: spec.timeoutMs,
    ...(inject.fetch ? { fetch: inject.fetch } : {}),
    ...(inject.sleep ? { sleep: inject.sleep } : {}),
  });
  const info: TargetInfo = {
    id: `${spec.kind}:${spec.baseUrl}#model=${spec.model ?? ''}`,
    label: spec.label,
    kind: spec.kind,
    location: spec.baseUrl,
    model: spec.model ?? '',
    logprobs: spec.logprobs > 0,
    maxTopLogprobs: spec.logprobs,
  };
  return {
    info,
    async complete(req, signal) {
      const p = req.params;
      const k = Math.min(p.topLogprobs ?? 0, spec.logprobs);
      const common = {
        maxTokens: p.maxTokens,
        temperature: p.temperature,
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
      };
      let r: CompletionResult;
      try {
        r =
          spec.kind === 'openai-chat'
            ? await client.chat(
                {
                  ...common,
                  messages: [{ role: 'user', content: req.prompt }],
                  ...(k > 0 ? { logprobs: true, topLogprobs: k } : {}),
                },
                signal,
              )
            : await client.complete(
                { ...common, prompt: req.prompt, ...(k > 0 ? { logprobs: k } : {}) },
                signal,
              );
      } catch (e) {
        wrapEngineError(e, info);
      }
      const c = r.choices[0];
      if (!c)
        throw new ProbeError('BAD_RESPONSE', `${info.label}: the endpoint returned no choices`, {
          where: { file: info.location },
        });
      const logprobs =
        k > 0 && c.logprobs
          ? c.logprobs.map((t) => ({
              token: t.token,
              logprob: t.logprob ?? -Infinity,
              top: t.top.map((a) => ({ token: a.token, logprob: a.logprob })),
            }))
          : null;
      return {
        text: c.text,
        finishReason: c.finishReason,
        logprobs: logprobs?.every((t) => Number.isFinite(t.logprob)) ? logprobs : logprobs,
        servedModel: r.model,
        fingerprint: null,
      };
    },
    close: () => Promise.resolve(),
  };
}

/** Open any target spec (local models in worker threads when `worker` is set). */
export async function openTarget(
  spec: string | TargetSpec,
  env: Readonly<Record<string, string | undefined>> = process.env,
  opts: LocalTargetOptions = {},
): Promise<ProbeTarget> {
  const s = typeof spec === 'string' ? parseTargetSpec(spec) : spec;
  return s.kind === 'local' ? openLocalTarget(s, opts) : openRemoteTarget(s, env);
}
