/**
 * A local OpenAI-compatible server for tests, backed by a real local model (so answers are real
 * generations with real log-probabilities), with switches to inject failures: rate limits,
 * transient errors, malformed or oversized bodies and slow answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalModel } from '../../src/engine/index.js';

/** Failure plan: the next requests are answered with these, in order, before normal service. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'garbage' }
  | { kind: 'schema' }
  | { kind: 'huge' }
  | { kind: 'hang'; ms: number }
  | { kind: 'reset' };

/** A running stub. */
export interface StubServer {
  readonly url: string;
  /** Requests seen, with their parsed JSON bodies. */
  readonly requests: { path: string; body: unknown; auth: string | undefined }[];
  faults: Fault[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const s = Buffer.concat(chunks).toString('utf8');
  return s ? (JSON.parse(s) as unknown) : null;
}

function send(
  res: ServerResponse,
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
): void {
  const s = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(s);
}

/** Start a stub on 127.0.0.1 with an ephemeral port. */
export async function startStub(
  model: LocalModel,
  opts: { logprobs?: boolean } = {},
): Promise<StubServer> {
  const offerLogprobs = opts.logprobs ?? true;
  const state: StubServer = {
    url: '',
    requests: [],
    faults: [],
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    void (async () => {
      const b = (await body(req)) as Record<string, unknown> | null;
      state.requests.push({ path: req.url ?? '', body: b, auth: req.headers.authorization });
      const fault = state.faults.shift();
      if (fault) {
        switch (fault.kind) {
          case 'status':
            return send(
              res,
              fault.status,
              { error: { message: 'injected' } },
              fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {},
            );
          case 'garbage':
            res.writeHead(200, { 'content-type': 'application/json' });
            return res.end('{"choices": [');
          case 'schema':
            return send(res, 200, { choices: [{ text: 42 }] });
          case 'huge':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write('{"pad":"');
            for (let i = 0; i < 40; i++) res.write('x'.repeat(1024 * 1024));
            return res.end('"}');
          case 'hang':
            await new Promise((r) => setTimeout(r, fault.ms));
            return send(res, 200, { choices: [] });
          case 'reset':
            return req.socket.destroy();
        }
      }
      if (req.method === 'GET' && req.url === '/v1/models')
        return send(res, 200, { object: 'list', data: [{ id: 'zoo', object: 'model' }] });
      if (req.method !== 'POST' || !b) return send(res, 404, { error: 'not found' });
      const max = typeof b['max_tokens'] === 'number' ? b['max_tokens'] : 16;
      const sampling = {
        ...(typeof b['temperature'] === 'number' ? { temperature: b['temperature'] } : {}),
        ...(typeof b['top_p'] === 'number' ? { topP: b['top_p'] } : {}),
        ...(typeof b['top_k'] === 'number' ? { topK: b['top_k'] } : {}),
      };
      const seed = typeof b['seed'] === 'number' ? b['seed'] : 0;
      const tok = model.tokenizer;
      if (req.url === '/v1/completions') {
        const prompt = typeof b['prompt'] === 'string' ? b['prompt'] : '';
        const g = model.generate({ prompt, maxNewTokens: max, sampling, seed, logprobs: true });
        const k = typeof b['logprobs'] === 'number' ? b['logprobs'] : null;
        const sc =
          k !== null
            ? model.score({
                tokens: [...g.promptTokens, ...g.tokens],
                from: g.promptTokens.length,
                topK: Math.max(1, k),
              })
            : null;
        return send(res, 200, {
          id: 'cmpl-1',
          object: 'text_completion',
          model: 'zoo',
          choices: [
            {
              index: 0,
              text: g.text,
              finish_reason: g.finishReason,
              logprobs:
                sc && offerLogprobs
                  ? {
                      tokens: g.tokens.map((t) => tok.decode([t])),
                      token_logprobs: Array.from(sc.logprobs),
                      top_logprobs: g.tokens.map((_, i) => {
                        const o: Record<string, number> = {};
                        for (let j = 0; j < Math.max(1, k ?? 1); j++) {
                          const id = sc.topIds?.[i * Math.max(1, k ?? 1) + j] ?? 0;
                          o[tok.decode([id])] = sc.topLogprobs?.[i * Math.max(1, k ?? 1) + j] ?? 0;
                        }
                        return o;
                      }),
                      text_offset: g.tokens.map((_, i) => i),
                    }
                  : null,
            },
          ],
          usage: { prompt_tokens: g.promptTokens.length, completion_tokens: g.tokens.length },
        });
      }
      if (req.url === '/v1/chat/completions') {
        const msgs = Array.isArray(b['messages']) ? (b['messages'] as { content?: unknown }[]) : [];
        const prompt = msgs.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
        const g = model.generate({ prompt, maxNewTokens: max, sampling, seed, logprobs: true });
        const want = b['logprobs'] === true && offerLogprobs;
        const k = typeof b['top_logprobs'] === 'number' ? b['top_logprobs'] : 0;
        const sc = want
          ? model.score({
              tokens: [...g.promptTokens, ...g.tokens],
              from: g.promptTokens.length,
              topK: Math.max(1, k),
            })
          : null;
        return send(res, 200, {
          id: 'chat-1',
          object: 'chat.completion',
          model: 'zoo',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: g.text },
              finish_reason: g.finishReason,
              logprobs: sc
                ? {
                    content: g.tokens.map((t, i) => ({
                      token: tok.decode([t]),
                      logprob: sc.logprobs[i],
                      bytes: [t],
                      top_logprobs: Array.from({ length: k }, (_, j) => {
                        const id = sc.topIds?.[i * Math.max(1, k) + j] ?? 0;
                        return {
                          token: tok.decode([id]),
                          logprob: sc.topLogprobs?.[i * Math.max(1, k) + j] ?? 0,
                          bytes: [id],
                        };
                      }),
                    })),
                  }
                : null,
            },
          ],
          usage: { prompt_tokens: g.promptTokens.length, completion_tokens: g.tokens.length },
        });
      }
      return send(res, 404, { error: 'not found' });
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(e) });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
