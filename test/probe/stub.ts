/**
 * A local OpenAI-compatible server for probe tests, answering from a real local model through the
 * engine (so answers and log-probabilities are real), with switches for the bad behaviour an
 * audit meets: rate limiting (429 + Retry-After), transient failures (503), refusals, empty
 * answers, a server without log-probabilities, and a model swapped for another mid-run.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalModel } from '../../src/engine/index.js';
import { localComplete, sha256Hex, type TargetInfo } from '../../src/probe/index.js';

/** Behaviour switches. Rates are applied deterministically from a hash of the request. */
export interface StubOptions {
  /** The model served, and the name reported in `model`. */
  readonly model: LocalModel;
  readonly name?: string;
  /** After this many answered requests, serve `swapTo` instead (and report `swapName`). */
  readonly swapAfter?: number;
  readonly swapTo?: LocalModel;
  readonly swapName?: string;
  /** Answer every n-th request with 429 (Retry-After: 0). */
  readonly rateLimitEvery?: number;
  /** Answer every n-th request with 503. */
  readonly failEvery?: number;
  /** Answer every request with 503 once this many have been answered (settable while running). */
  readonly failAfter?: number;
  /** Share of prompts answered with a refusal / with an empty string. */
  readonly refusalRate?: number;
  readonly emptyRate?: number;
  /** Offer log-probabilities (default true). */
  readonly logprobs?: boolean;
}

/** A running stub. */
export interface ProbeStub {
  readonly url: string;
  /** Requests received (including refused ones) and answered with 200. */
  readonly counts: { received: number; answered: number; limited: number; failed: number };
  /** Change the outage threshold while running (undefined: serve again). */
  failAfter: number | undefined;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const s = Buffer.concat(chunks).toString('utf8');
  return s ? (JSON.parse(s) as Record<string, unknown>) : {};
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function share(prompt: string, salt: string): number {
  return parseInt(sha256Hex(`${salt}\u0000${prompt}`).slice(0, 8), 16) / 0x1_0000_0000;
}

const REFUSAL = "I'm sorry, but I can't help with that request.";

/** Start the stub on 127.0.0.1 with an ephemeral port. */
export async function startProbeStub(o: StubOptions): Promise<ProbeStub> {
  const counts = { received: 0, answered: 0, limited: 0, failed: 0 };
  const state: { failAfter: number | undefined } = { failAfter: o.failAfter };
  const info = (name: string): TargetInfo => ({
    id: `stub:${name}`,
    label: name,
    kind: 'local',
    location: 'stub',
    model: name,
    logprobs: true,
    maxTopLogprobs: 20,
  });
  const server = createServer((req, res) => {
    void (async () => {
      counts.received++;
      const body = await readBody(req);
      if (o.rateLimitEvery && counts.received % o.rateLimitEvery === 0) {
        counts.limited++;
        return send(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '0' });
      }
      if (
        (o.failEvery && counts.received % o.failEvery === 0) ||
        (state.failAfter !== undefined && counts.answered >= state.failAfter)
      ) {
        counts.failed++;
        return send(res, 503, { error: { message: 'overloaded' } });
      }
      const chat = (req.url ?? '').endsWith('/chat/completions');
      if (!chat && !(req.url ?? '').endsWith('/completions'))
        return send(res, 404, { error: { message: 'not found' } });
      const messages = (body['messages'] ?? []) as { role: string; content: string }[];
      const prompt = chat
        ? (messages[messages.length - 1]?.content ?? '')
        : typeof body['prompt'] === 'string'
          ? body['prompt']
          : '';
      const swapped = o.swapAfter !== undefined && o.swapTo && counts.answered >= o.swapAfter;
      const model = swapped && o.swapTo ? o.swapTo : o.model;
      const name = swapped ? (o.swapName ?? o.name ?? 'stub') : (o.name ?? 'stub');
      const offer = o.logprobs ?? true;
      const k = chat
        ? body['logprobs'] === true
          ? Number(body['top_logprobs'] ?? 0)
          : 0
        : Number(body['logprobs'] ?? 0);
      const r = localComplete(
        model,
        {
          prompt,
          params: {
            maxTokens: Number(body['max_tokens'] ?? 16),
            temperature: Number(body['temperature'] ?? 1),
            ...(body['seed'] !== undefined ? { seed: Number(body['seed']) } : {}),
            topLogprobs: offer ? k : 0,
          },
        },
        0,
        info(name),
      );
      let text = r.text;
      if (o.refusalRate && share(prompt, 'refuse') < o.refusalRate) text = REFUSAL;
      if (o.emptyRate && share(prompt, 'empty') < o.emptyRate) text = '';
      counts.answered++;
      const lps = offer && k > 0 && text === r.text ? r.logprobs : null;
      if (chat)
        return send(res, 200, {
          id: `chatcmpl-${counts.answered}`,
          model: name,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text },
              finish_reason: r.finishReason,
              logprobs: lps
                ? {
                    content: lps.map((t) => ({
                      token: t.token,
                      logprob: t.logprob,
                      top_logprobs: t.top.map((a) => ({ token: a.token, logprob: a.logprob })),
                    })),
                  }
                : null,
            },
          ],
        });
      return send(res, 200, {
        id: `cmpl-${counts.answered}`,
        model: name,
        choices: [
          {
            index: 0,
            text,
            finish_reason: r.finishReason,
            logprobs: lps
              ? {
                  tokens: lps.map((t) => t.token),
                  token_logprobs: lps.map((t) => t.logprob),
                  top_logprobs: lps.map((t) =>
                    Object.fromEntries(t.top.map((a) => [a.token, a.logprob])),
                  ),
                }
              : null,
          },
        ],
      });
    })().catch((e: unknown) => {
      send(res, 500, { error: { message: String(e) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    counts,
    get failAfter() {
      return state.failAfter;
    },
    set failAfter(v: number | undefined) {
      state.failAfter = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
